//! Launch programs as coprocesses held by process descriptors.
