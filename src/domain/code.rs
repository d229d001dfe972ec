//! Closed sets of codes (incident cases, sources, kinds …), each declared once: the code
//! written in JSON is the code shown, parsed and listed. `codes!` generates the enum with
//! its serde names, `ALL` in declaration order, `code()` and `from_code()`.

/// A set of codes: every value, and each value's code (its JSON spelling).
pub trait Code: Copy + Eq + 'static {
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;

    fn from_code(s: &str) -> Option<Self> {
        Self::all().iter().copied().find(|c| c.code() == s)
    }
}

/// `codes! { /// doc  pub enum Name { /// doc  Variant = "code" | "old-spelling", … } }`
///
/// The optional `| "…"` spellings are also read (never written): codes an earlier build
/// wrote differently.
#[macro_export]
macro_rules! codes {
    ($(#[$meta:meta])* pub enum $name:ident {
        $( $(#[$vmeta:meta])* $variant:ident = $code:literal $(| $alias:literal)* ),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code $(, alias = $alias)*)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// The code as written in JSON and shown to staff.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(s: &str) -> Option<$name> {
                Self::ALL.into_iter().find(|c| c.code() == s)
            }
        }

        impl $crate::domain::code::Code for $name {
            fn all() -> &'static [Self] {
                &$name::ALL
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::codes! {
        /// For the test.
        pub enum Fruit {
            Apple = "apple",
            /// An old spelling is read.
            Kaki = "kaki" | "persimmon",
        }
    }

    #[test]
    fn serde_name_is_the_code_and_aliases_are_read() {
        for f in Fruit::ALL {
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.code()));
            assert_eq!(serde_json::from_str::<Fruit>(&json).unwrap(), f);
            assert_eq!(Fruit::from_code(f.code()), Some(f));
        }
        assert_eq!(
            serde_json::from_str::<Fruit>("\"persimmon\"").unwrap(),
            Fruit::Kaki
        );
        assert_eq!(
            Fruit::from_code("persimmon"),
            None,
            "aliases are read, not codes"
        );
        assert!(serde_json::from_str::<Fruit>("\"pear\"").is_err());
    }
}
