//! Fixed sets of words (`--format`, `--time`, `--color`, `--complete`'s kinds) as enums, each
//! with one table of names that parsing, help and completion all read, so that an unknown word
//! is an error and never a silent fallback.

/// An enum whose values are named by a fixed table of words.
pub trait Choice: Copy + Sized + 'static {
    /// The names, in the order help and completion offer them.
    const NAMES: &'static [&'static str];

    fn from_name(name: &str) -> Option<Self>;

    fn name(self) -> &'static str;
}

/// Defines an enum and its [`Choice`] table: `choices! { pub enum Color { Auto = "auto", ... } }`.
macro_rules! choices {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::core::choice::Choice for $name {
            const NAMES: &'static [&'static str] = &[$($text),+];

            fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }
    };
}
pub(crate) use choices;

#[cfg(test)]
mod tests {
    use super::*;

    choices! {
        pub enum Sample { One = "one", Two = "two" }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_none() {
        assert_eq!(Sample::NAMES, ["one", "two"]);
        for name in Sample::NAMES {
            assert_eq!(Sample::from_name(name).map(Choice::name), Some(*name));
        }
        assert_eq!(Sample::from_name("three"), None);
        assert_eq!(Sample::from_name("One"), None);
    }
}
