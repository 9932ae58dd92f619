#!/usr/bin/env python3
"""The GUM dev gold projected onto the same articles in their natural form (not tokenised).

The bundled corpus (crates/factql/corpus/wikinews) holds the 12 Wikinews articles of
shared/eval/gum_news_dev.jsonl as published. Gold spans are mapped through an alignment of the
non-space characters; spans whose text differs are dropped (the corpus copies are sometimes
shorter). Usage:

    python3 scripts/natural_gold.py ../shared/eval/gum_news_dev.jsonl crates/factql/corpus/wikinews /tmp/natural_gold.jsonl
"""
import difflib
import json
import sys

ids={'afghan':'2017-07-18_afghan','clock':'2015-09-22_clock','defector':'2010-10-09_defector','expo':'2016-09-07_expo','hackers':'2008-01-20_hackers','ie9':'2011-03-08_ie9','iodine':'2006-02-23_iodine','lanterns':'2007-03-05_lanterns','questionnaire':'2023-02-23_questionnaire','soccer':'2018-06-18_soccer','taxes':'2015-08-02_taxes','warming':'2014-07-28_warming'}
out = open(sys.argv[3], 'w')
tot=0;lost=0
for l in open(sys.argv[1]):
    r=json.loads(l); key=r['id'].split('_')[-1]
    nat = open(f'{sys.argv[2]}/{ids[key]}.txt').read()
    a=[(i,c) for i,c in enumerate(r['text']) if not c.isspace()]
    b=[(i,c) for i,c in enumerate(nat) if not c.isspace()]
    sa=''.join(c for _,c in a); sb=''.join(c for _,c in b)
    m={}
    sm=difflib.SequenceMatcher(None,sa,sb,autojunk=False)
    for blk in sm.get_matching_blocks():
        for k in range(blk.size): m[a[blk.a+k][0]]=b[blk.b+k][0]
    ents=[]
    for e in r['entities']:
        s,t=e['start'],e['end']
        while s<t and r['text'][s].isspace(): s+=1
        while t>s and r['text'][t-1].isspace(): t-=1
        tot+=1
        if s in m and (t-1) in m and r['text'][s:t].replace(' ','')==nat[m[s]:m[t-1]+1].replace(' ',''):
            ents.append({'start':m[s],'end':m[t-1]+1,'label':e['label']})
        else: lost+=1
    out.write(json.dumps({'id':r['id'],'text':nat,'entities':ents})+'\n')
print('entities',tot,'lost',lost,file=sys.stderr)
