//! A value made on first use: how the image's sections are decoded only when a query reads
//! them. [`Lazy`] dereferences to its value, so code that reads `ds.mentions[i]` does not
//! know whether the mentions came from the store, were decoded earlier, or are decoded now.

use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

/// How a [`Lazy`] value is made.
type Init<T> = Box<dyn Fn() -> T + Send + Sync>;

/// A value that is either ready or made by a function the first time it is read (once, even
/// when several threads read it at once).
pub(crate) struct Lazy<T> {
    cell: OnceLock<T>,
    init: Option<Init<T>>,
}

impl<T: Default> Lazy<T> {
    /// A value already made.
    pub(crate) fn ready(value: T) -> Lazy<T> {
        let cell = OnceLock::new();
        let _ = cell.set(value);
        Lazy { cell, init: None }
    }

    /// A value `init` makes when it is first read. `init` cannot fail: it answers a damaged
    /// source from elsewhere (see [`crate::image`]).
    pub(crate) fn new(init: impl Fn() -> T + Send + Sync + 'static) -> Lazy<T> {
        Lazy { cell: OnceLock::new(), init: Some(Box::new(init)) }
    }

    /// The value, made now if it was not yet.
    pub(crate) fn force(&self) -> &T {
        self.cell.get_or_init(|| self.init.as_ref().map(|init| init()).unwrap_or_default())
    }

    /// The value, mutably (made now if it was not yet).
    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.force();
        match self.cell.get_mut() {
            Some(value) => value,
            // `force` just set it.
            None => unreachable!("a lazy value is set once read"),
        }
    }

    /// Whether the value was made (or given ready).
    #[cfg(test)]
    pub(crate) fn is_ready(&self) -> bool {
        self.cell.get().is_some()
    }
}

impl<T: Default> Default for Lazy<T> {
    fn default() -> Lazy<T> {
        Lazy::ready(T::default())
    }
}

impl<T: Default> Deref for Lazy<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.force()
    }
}

impl<T: Default> DerefMut for Lazy<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.get_mut()
    }
}

impl<'a, T> IntoIterator for &'a Lazy<Vec<T>> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.force().iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_lazy_value_is_made_once_on_first_read() {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = made.clone();
        let lazy = Lazy::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            vec![1, 2, 3]
        });
        assert!(!lazy.is_ready());
        assert_eq!(made.load(Ordering::SeqCst), 0);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| assert_eq!(lazy.len(), 3));
            }
        });
        assert_eq!(lazy[1], 2);
        assert_eq!((&lazy).into_iter().sum::<i32>(), 6);
        assert_eq!(made.load(Ordering::SeqCst), 1);
        assert!(lazy.is_ready());
    }
}
