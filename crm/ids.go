package crm

import "crmsheets/internal/sfid"

// To18 converts a 15-character case-sensitive Salesforce id to its
// 18-character case-insensitive form, and checks an 18-character id's
// checksum, returning its canonical form (suffix upper case). An 18-character
// id folded to all upper or all lower case (as some tools do) is restored
// from its suffix; a mixed-case id whose case disagrees with its suffix is an
// error, as is any other length or a non-alphanumeric character. The rules
// live once, in internal/sfid, shared with the XLSX importer and the demo
// org.
func To18(id string) (string, error) { return sfid.To18(id) }

// ValidID reports whether id is a well-formed 15-character id or an
// 18-character id with a correct checksum.
func ValidID(id string) bool { return sfid.Valid(id) }

// SameID reports whether a and b name the same record. 15-character ids
// compare case-sensitively (they are converted to 18 first); invalid ids are
// never the same as anything.
func SameID(a, b string) bool { return sfid.Same(a, b) }
