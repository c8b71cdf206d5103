//! Reading a result row into a Rust value with no column numbers in the service's code: a
//! [`FromRow`] value takes the row's columns in order through [`Columns`], which counts them, so
//! a mapper cannot read a column twice, skip one or misnumber one when a query's column list
//! changes. Plain values ([`FromColumn`]) take one column, tuples one per element (an optional
//! tuple: a group of nullable columns set together), and a record declared with
//! [`crate::from_row!`] one (or, nested, several) per field, in the order the fields are named,
//! which is the order the query selects them in.

use super::{FromColumn, Result, Row};

/// What reads itself from the next columns of a row.
pub trait FromRow: Sized {
    /// Reads the value from `c`'s next columns, moving past them.
    fn from_columns(c: &mut Columns<'_>) -> Result<Self>;
}

/// The columns of one row, read front to back.
pub struct Columns<'r> {
    row: &'r Row<'r>,
    next: usize,
}

impl<'r> Columns<'r> {
    /// The columns of `row`, from the first.
    pub fn new(row: &'r Row<'r>) -> Self {
        Columns { row, next: 0 }
    }

    /// Reads a `T` from the next column(s).
    pub fn read<T: FromRow>(&mut self) -> Result<T> {
        T::from_columns(self)
    }
}

impl<T: FromColumn> FromRow for T {
    fn from_columns(c: &mut Columns<'_>) -> Result<Self> {
        let v = c.row.get(c.next)?;
        c.next += 1;
        Ok(v)
    }
}

impl Row<'_> {
    /// The row read as a `T`, from its first column.
    pub fn decode<T: FromRow>(&self) -> Result<T> {
        decode(self)
    }
}

/// The row read as a `T`, from its first column: a function, so that it can be handed as the
/// row mapper of [`super::Conn::query`] and its siblings (`c.query(sql, params, decode)`).
pub fn decode<T: FromRow>(r: &Row<'_>) -> Result<T> {
    Columns::new(r).read()
}

macro_rules! tuple_from_row {
    ($($t:ident $v:ident),+) => {
        impl<$($t: FromRow),+> FromRow for ($($t,)+) {
            fn from_columns(c: &mut Columns<'_>) -> Result<Self> {
                // A tuple expression evaluates its elements left to right: the columns in order.
                Ok(($(c.read::<$t>()?,)+))
            }
        }

        /// A group of nullable columns that are set together (the parts of one optional
        /// value): `Some` when every one is set.
        impl<$($t: FromColumn),+> FromRow for Option<($($t,)+)> {
            fn from_columns(c: &mut Columns<'_>) -> Result<Self> {
                // Every column of the group is read, set or not, so what follows starts after it.
                let ($($v,)+) = ($(c.read::<Option<$t>>()?,)+);
                Ok(match ($($v,)+) {
                    ($(Some($v),)+) => Some(($($v,)+)),
                    _ => None,
                })
            }
        }
    };
}
tuple_from_row!(A a, B b);
tuple_from_row!(A a, B b, C c);
tuple_from_row!(A a, B b, C c, D d);
tuple_from_row!(A a, B b, C c, D d, E e);
tuple_from_row!(A a, B b, C c, D d, E e, F f);
tuple_from_row!(A a, B b, C c, D d, E e, F f, G g);

/// Implements [`FromRow`](crate::sql::FromRow) for a struct by naming its fields in the order
/// the query selects their columns. A field named alone is read as its own type (one column for
/// a plain value, several for a nested `FromRow` record); `field: T => f` reads a `T` and
/// stores what `f(t)` returns, a `Result` (`f` a function or a closure that captures nothing),
/// for a column kept in another form such as JSON text. Struct fields are initialized in the
/// order written, so the columns are read in the order named.
///
/// ```ignore
/// trailstack_store::from_row! {
///     Pending { id, event_time_ms, record_json }
/// }
/// ```
#[macro_export]
macro_rules! from_row {
    ($name:ident { $($field:ident $(: $stored:ty => $convert:expr)?),+ $(,)? }) => {
        impl $crate::sql::FromRow for $name {
            fn from_columns(c: &mut $crate::sql::Columns<'_>) -> $crate::sql::Result<Self> {
                Ok($name {
                    $($field: $crate::from_row!(@field c $(, $stored, $convert)?),)+
                })
            }
        }
    };
    (@field $c:ident) => {
        $c.read()?
    };
    (@field $c:ident, $stored:ty, $convert:expr) => {{
        // Typed here so that a closure's argument has its type before its body is checked.
        let convert: fn($stored) -> $crate::sql::Result<_> = $convert;
        convert($c.read()?)?
    }};
}

#[cfg(test)]
mod tests {
    use crate::sql::{decode, FromRow, Result};
    use crate::Migration;

    #[derive(Debug, PartialEq)]
    struct Inner {
        a: i64,
        b: Option<String>,
    }
    crate::from_row! { Inner { a, b } }

    #[derive(Debug, PartialEq)]
    struct Outer {
        inner: Inner,
        doubled: i64,
        last: String,
    }
    crate::from_row! {
        Outer { inner, doubled: i64 => |v| Ok(v * 2), last }
    }

    /// One row `(1, NULL, 21, 'z')` in a table of the four column types a mapper meets.
    const TABLE: &[Migration] = &[Migration {
        component: "row_test",
        version: 1,
        sql: "CREATE TABLE t (a INTEGER, b TEXT, c INTEGER, d TEXT);
              INSERT INTO t VALUES (1, NULL, 21, 'z');",
    }];

    fn read<T: FromRow>(columns: &str) -> Result<T> {
        let (_d, db) = crate::testing::open(TABLE);
        db.read(|c| c.query_one(&format!("SELECT {columns} FROM t"), &[], decode))
    }

    #[test]
    fn tuples_and_records_take_the_columns_in_order() {
        let t: (i64, Option<String>, String) = read("a, b, d").unwrap();
        assert_eq!(t, (1, None, "z".to_owned()));
        // Two groups of nullable columns: (a, d) all set, (c, b) not.
        type Group = Option<(i64, String)>;
        let groups: (Group, Group) = read("a, d, c, b").unwrap();
        assert_eq!(groups, (Some((1, "z".to_owned())), None));
        let o: Outer = read("a, b, c, d").unwrap();
        let inner = Inner { a: 1, b: None };
        assert_eq!(
            o,
            Outer {
                inner,
                doubled: 42,
                last: "z".into()
            }
        );
    }

    #[test]
    fn a_column_of_the_wrong_type_names_its_index() {
        let e = read::<(i64, i64)>("a, d").unwrap_err();
        assert!(e.to_string().contains("column 1"), "{e}");
    }
}
