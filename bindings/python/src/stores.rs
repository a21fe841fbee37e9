//! The core's memory and file storages, called synchronously by the Python facade (the memory
//! one inline, the file one on an executor thread with the GIL released during I/O).

use std::path::PathBuf;

use pyo3::prelude::*;
use sessionkeeper_core::storage::{check_shop, FileStorage, MemoryStorage};
use sessionkeeper_core::Timestamp;

use crate::arguments::wrong_type;
use crate::callback::{ids_arg, str_arg};
use crate::error::OrRaise;
use crate::session::PySession;
use crate::views::session_from_arg;

/// The core's in-memory storage: keeps each session's canonical JSON (a load shares the parse
/// kept for a hot session, or parses one), 64 read-write-locked shards, a shop index.
#[pyclass(module = "sessionkeeper._native", frozen)]
pub struct MemoryStore {
    pub(crate) inner: MemoryStorage,
}

#[pymethods]
impl MemoryStore {
    #[new]
    fn py_new() -> Self {
        MemoryStore { inner: MemoryStorage::new() }
    }

    /// Stores a copy of `session` (a `Session` or a dict), replacing any with its id.
    fn store(&self, session: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.store(&*session_from_arg(session)?).or_raise(session.py())
    }

    /// The session with `id`, or `None`.
    fn load(&self, id: &Bound<'_, PyAny>) -> PyResult<Option<PySession>> {
        Ok(self.inner.load(str_arg(id, "id")?).or_raise(id.py())?.map(PySession::shared))
    }

    /// Removes the session with `id`; `True` whether or not it existed.
    fn delete(&self, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.inner.delete(str_arg(id, "id")?).or_raise(id.py())
    }

    /// Removes every session in `ids` (all checked before anything is removed).
    fn delete_many(&self, ids: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.inner.delete_many(&ids_arg(ids)?).or_raise(ids.py())
    }

    /// Every session of `shop`.
    fn find_by_shop(&self, shop: &Bound<'_, PyAny>) -> PyResult<Vec<PySession>> {
        let found = self.inner.find_by_shop(str_arg(shop, "shop")?).or_raise(shop.py())?;
        Ok(found.into_iter().map(PySession::shared).collect())
    }

    /// Stores a copy of `session` only if the stored record has version `expected` (0: none
    /// yet); `ConflictError` otherwise.
    fn store_if_version(&self, session: &Bound<'_, PyAny>, expected: u64) -> PyResult<()> {
        self.inner.store_if_version(&*session_from_arg(session)?, expected).or_raise(session.py())
    }

    /// Removes the sessions that can no longer be used; returns how many.
    fn sweep(&self) -> usize {
        self.inner.sweep(Timestamp::now())
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

/// The core's file storage under one directory. Every method blocks on file I/O with the GIL
/// released: the facade calls them on an executor thread, never on the event loop.
#[pyclass(module = "sessionkeeper._native", frozen)]
pub struct FileStore {
    inner: FileStorage,
}

#[pymethods]
impl FileStore {
    /// Opens (creating with mode 0700 when missing) the storage directory.
    #[new]
    fn py_new(directory: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = directory.py();
        let path: PathBuf = directory
            .extract()
            .map_err(|_| wrong_type(directory, "directory must be a str or os.PathLike"))?;
        Ok(FileStore { inner: py.detach(|| FileStorage::open(path)).or_raise(py)? })
    }

    /// The storage directory.
    #[getter]
    fn directory(&self) -> PathBuf {
        self.inner.dir().to_path_buf()
    }

    /// Writes `session` (a snapshot from `session_argument`) atomically.
    fn store(&self, py: Python<'_>, session: &Bound<'_, PySession>) -> PyResult<bool> {
        let s = PySession::core(session)?;
        self.detached(py, move |fs| fs.store(&s).map(|()| true))
    }

    /// Writes `session` only if the stored record has version `expected` (0: none yet).
    fn store_if_version(
        &self,
        py: Python<'_>,
        session: &Bound<'_, PySession>,
        expected: u64,
    ) -> PyResult<bool> {
        let s = PySession::core(session)?;
        self.detached(py, move |fs| fs.store_if_version(&s, expected).map(|()| true))
    }

    /// Removes the sessions that can no longer be used; returns how many.
    fn sweep(&self, py: Python<'_>) -> PyResult<usize> {
        self.detached(py, |fs| fs.sweep(Timestamp::now()))
    }

    /// The session with `id`, or `None`.
    fn load(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Option<PySession>> {
        let id = str_arg(id, "id")?.to_owned();
        Ok(self.detached(py, move |fs| fs.load(&id))?.map(PySession::new))
    }

    /// Deletes the session with `id`; `True` whether or not it existed.
    fn delete(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = str_arg(id, "id")?.to_owned();
        self.detached(py, move |fs| fs.delete(&id))
    }

    /// Deletes every session in `ids`.
    fn delete_many(&self, py: Python<'_>, ids: &Bound<'_, PyAny>) -> PyResult<bool> {
        let ids = ids_arg(ids)?;
        self.detached(py, move |fs| fs.delete_many(&ids))
    }

    /// Every session of `shop`.
    fn find_by_shop(&self, py: Python<'_>, shop: &Bound<'_, PyAny>) -> PyResult<Vec<PySession>> {
        let shop = str_arg(shop, "shop")?.to_owned();
        check_shop(&shop).or_raise(py)?;
        let found = self.detached(py, move |fs| fs.find_by_shop(&shop))?;
        Ok(found.into_iter().map(PySession::new).collect())
    }
}

impl FileStore {
    /// Runs `job` on this storage with the GIL released (file I/O blocks).
    fn detached<T: Send>(
        &self,
        py: Python<'_>,
        job: impl FnOnce(&FileStorage) -> sessionkeeper_core::Result<T> + Send,
    ) -> PyResult<T> {
        let fs = self.inner.clone();
        py.detach(move || job(&fs)).or_raise(py)
    }
}
