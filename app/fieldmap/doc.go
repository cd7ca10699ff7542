// Package fieldmap maps sheet columns to Salesforce fields and converts
// their values, with no I/O: it lists the fields a column can be mapped to
// (MappableFields, from a describe), proposes a mapping from column names
// (Propose), checks a mapping against the describe (Validate), checks the
// values of a row before a push the way Salesforce would (ValidateRow),
// converts between canonical cell text and Salesforce JSON values
// (ToSalesforce, FromSalesforce) and spells a key every way Salesforce may
// store it (KeySpellings).
//
// It sits beside app/merge under app: the Service fetches describes and
// records, and calls this package to decide; everything here is a pure
// function of its arguments, so it is specified by table, fuzz and golden
// tests on real describes (testdata/describes) with no org at all.
package fieldmap
