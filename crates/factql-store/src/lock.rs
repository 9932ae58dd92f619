//! Waiting for another writer: SQLite's busy handler, with a notice for the person waiting.
//!
//! Write transactions begin `IMMEDIATE`, so a second writer meets the lock at `BEGIN` and the
//! busy handler runs: it sleeps in short steps for up to [`LIMIT`], and tells the callback
//! set with [`Store::on_lock_wait`](crate::Store::on_lock_wait) when it starts waiting and
//! every [`NOTICE_EVERY`] after. SQLite takes a plain function as the handler, so the callback
//! lives in a thread-local slot: it is called on the thread that runs the statement.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// How long a writer waits for another process's write lock before giving up.
pub const LIMIT: Duration = Duration::from_secs(600);

/// How often the wait is reported again.
pub const NOTICE_EVERY: Duration = Duration::from_secs(10);

/// One sleep between tries.
const STEP: Duration = Duration::from_millis(50);

/// The callback told how long the current wait has lasted.
pub(crate) type Notice = Rc<dyn Fn(Duration)>;

thread_local! {
    static NOTICE: RefCell<Option<Notice>> = const { RefCell::new(None) };
}

/// Sets this thread's wait callback.
pub(crate) fn set_notice(notice: Option<Notice>) {
    NOTICE.with(|slot| *slot.borrow_mut() = notice);
}

/// The busy handler: `count` is how many times it ran for this wait. True: try again.
pub(crate) fn on_busy(count: i32) -> bool {
    let waited = STEP * u32::try_from(count).unwrap_or(0);
    if waited >= LIMIT {
        return false;
    }
    let every = (NOTICE_EVERY.as_millis() / STEP.as_millis()) as i32;
    if count % every == 0 {
        let notice = NOTICE.with(|slot| slot.borrow().clone());
        if let Some(notice) = notice {
            notice(waited);
        }
    }
    std::thread::sleep(STEP);
    true
}
