/* factql extractor plugin ABI, version 1: the C view of crates/factql-plugin-abi/src/lib.rs.
 *
 * A plugin exports one entry symbol, factql_plugin_v1__<crate_name>, of type
 * factql_entry_fn. Text and inputs are borrowed for one call; output batches are copied by the
 * host inside emit. Manifests, inputs and batches are postcard-encoded (see factql-plugin-sdk,
 * module wire). tests/c_header.rs checks that this header and the Rust definitions agree.
 */
#ifndef FACTQL_PLUGIN_H
#define FACTQL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define FACTQL_ABI_MAJOR 1
#define FACTQL_ABI_MINOR 0
#define FACTQL_WIRE_SCHEMA 2
#define FACTQL_FLAG_PANIC_UNWIND 1u

enum {
    FACTQL_OK = 0,
    FACTQL_ERROR = 1,
    FACTQL_PANICKED = 2,
    FACTQL_BAD_INPUT = 3,
    FACTQL_LIMIT = 4,
    FACTQL_BAD_OUTPUT = 5,
};

typedef struct { const uint8_t *ptr; size_t len; } factql_str_ref;
typedef struct { const uint8_t *ptr; size_t len; } factql_bytes_ref;
typedef int32_t factql_status;

typedef struct {
    uint32_t size;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint64_t flags;
} factql_host_v1;

typedef struct factql_instance factql_instance;

typedef factql_status (*factql_emit_fn)(void *ctx, factql_bytes_ref batch);
typedef void (*factql_error_fn)(void *ctx, factql_str_ref message);

typedef struct {
    void *ctx;
    factql_emit_fn emit;
    factql_error_fn error;
} factql_sink_v1;

typedef struct {
    uint32_t size;
    uint16_t schema;
    uint16_t reserved;
    factql_str_ref article_id;
    factql_str_ref text;
    factql_bytes_ref inputs;
} factql_extract_req_v1;

typedef factql_status (*factql_create_fn)(factql_bytes_ref config, factql_instance **out,
                                          const factql_sink_v1 *sink);
typedef factql_status (*factql_extract_fn)(const factql_instance *instance,
                                           const factql_extract_req_v1 *request,
                                           const factql_sink_v1 *sink);
typedef void (*factql_destroy_fn)(factql_instance *instance);

typedef struct {
    uint32_t size;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint64_t flags;
    factql_bytes_ref manifest;
    factql_str_ref sdk_version;
    factql_create_fn create;
    factql_extract_fn extract;
    factql_destroy_fn destroy;
} factql_plugin_v1;

typedef const factql_plugin_v1 *(*factql_entry_fn)(const factql_host_v1 *host);

#endif /* FACTQL_PLUGIN_H */
