//! Settings given from Python: a mapping of key → value, or the path of a `.properties` file.

use crate::args::{self, type_name};
use crate::errors;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyMapping, PyString};
use std::path::PathBuf;
use steady_core::Settings;

/// Reads `obj` as settings: a mapping (keys str; values str, int, float or bool) or a path
/// (str or `os.PathLike`) of a `.properties` file. Keys and values must be encodable as UTF-8.
pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Settings> {
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let mut settings = Settings::new();
        for item in mapping.items()?.iter() {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let key = match key.cast::<PyString>() {
                Ok(k) => args::text("setting key", k)?,
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "setting keys must be str, not {}",
                        type_name(&key)
                    )))
                }
            };
            let value = value_text(&key, &value)?;
            settings.set(key, value);
        }
        return Ok(settings);
    }
    let path: PathBuf = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "settings must be a dict of key → value or the path of a .properties file, not {}",
            type_name(obj)
        ))
    })?;
    let py = obj.py();
    let loaded = py.detach(|| Settings::load(&path));
    loaded.map_err(|e| errors::settings_error(py, e))
}

/// A setting's value as text: strings as given, booleans as `true`/`false`, numbers as Python
/// prints them.
fn value_text(key: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    if value.is_instance_of::<PyBool>() {
        return Ok(if value.is_truthy()? { "true" } else { "false" }.to_string());
    }
    if let Ok(s) = value.cast::<PyString>() {
        return args::text(format_args!("setting '{key}'"), s);
    }
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        return args::text(format_args!("setting '{key}'"), &value.str()?);
    }
    Err(PyTypeError::new_err(format!(
        "setting '{key}': value must be str, int, float or bool, not {}",
        type_name(value)
    )))
}
