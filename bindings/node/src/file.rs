//! The native half of `FileSessionStorage`: the core's `FileStorage`, every call a libuv
//! thread-pool task so disk I/O never blocks the JS thread.

use napi::bindgen_prelude::{AsyncTask, Env};
use napi::Task;
use napi_derive::napi;
use sessionkeeper_core::storage::FileStorage;
use sessionkeeper_core::{Origin, Result as CoreResult, Session};

use crate::error::{guard, rejection};

/// One blocking storage call, run by libuv's pool.
pub struct Work<T: Send + 'static> {
    job: Option<Box<dyn FnOnce() -> CoreResult<T> + Send>>,
}

impl<T: Send + 'static> Work<T> {
    fn new(job: impl FnOnce() -> CoreResult<T> + Send + 'static) -> AsyncTask<Self>
    where
        Self: Task,
    {
        AsyncTask::new(Work { job: Some(Box::new(job)) })
    }

    fn run(&mut self) -> CoreResult<T> {
        let job = self.job.take().expect("a task runs once");
        guard(job)
    }
}

macro_rules! task {
    ($t:ty, $js:ty) => {
        impl Task for Work<$t> {
            type Output = CoreResult<$t>;
            type JsValue = $js;

            fn compute(&mut self) -> napi::Result<Self::Output> {
                Ok(self.run())
            }

            fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<$js> {
                output.map_err(|e| rejection(&env, &e))
            }
        }
    };
}

task!((), ());
task!(bool, bool);
task!(Option<String>, Option<String>);
task!(Vec<String>, Vec<String>);
task!(FileStore, FileStore);
task!(u32, u32);

/// Sessions on disk under one directory (the layout is the core's, shared with Python).
#[napi]
pub struct FileStore {
    inner: FileStorage,
}

/// Opens (creating when missing, mode 0700) the storage directory `dir`, off the JS thread.
#[napi(catch_unwind, ts_return_type = "Promise<FileStore>")]
pub fn open_file_store(dir: String) -> AsyncTask<Work<FileStore>> {
    Work::new(move || FileStorage::open(dir).map(|inner| FileStore { inner }))
}

#[napi]
impl FileStore {
    /// Stores the session in `text` (`INVALID_ARGUMENT` when invalid), atomically replacing
    /// the file of its id.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn store(&self, text: String) -> AsyncTask<Work<()>> {
        let store = self.inner.clone();
        Work::new(move || store.store(&Session::from_json(&text, Origin::Argument)?))
    }

    /// Stores the session in `text` only if the stored record has version `expected` (0: none
    /// yet); CONFLICT otherwise.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn store_if_version(&self, text: String, expected: u32) -> AsyncTask<Work<()>> {
        let store = self.inner.clone();
        let expected = u64::from(expected);
        Work::new(move || {
            store.store_if_version(&Session::from_json(&text, Origin::Argument)?, expected)
        })
    }

    /// Removes the sessions that can no longer be used; resolves how many.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn sweep(&self) -> AsyncTask<Work<u32>> {
        let store = self.inner.clone();
        Work::new(move || store.sweep(sessionkeeper_core::Timestamp::now()).map(|n| n as u32))
    }

    /// The canonical JSON of the session with `id`, or `null`.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn load(&self, id: String) -> AsyncTask<Work<Option<String>>> {
        let store = self.inner.clone();
        Work::new(move || Ok(store.load(&id)?.map(|s| s.to_json())))
    }

    /// Removes the session with `id` (`true` whether or not it existed).
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn delete(&self, id: String) -> AsyncTask<Work<bool>> {
        let store = self.inner.clone();
        Work::new(move || store.delete(&id))
    }

    /// Removes every session in `ids`.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn delete_many(&self, ids: Vec<String>) -> AsyncTask<Work<bool>> {
        let store = self.inner.clone();
        Work::new(move || store.delete_many(&ids))
    }

    /// The canonical JSON of every session of `shop`.
    #[napi(catch_unwind, ts_return_type = "Promise<Array<string>>")]
    pub fn find_by_shop(&self, shop: String) -> AsyncTask<Work<Vec<String>>> {
        let store = self.inner.clone();
        Work::new(move || Ok(store.find_by_shop(&shop)?.iter().map(Session::to_json).collect()))
    }
}
