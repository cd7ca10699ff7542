// Package templates holds the CRM templates a sheet can be created from
// (Accounts, People, Leads, Opportunities, Tasks), with columns already typed
// and mapped to Salesforce fields, and builds a sheet for any object from
// its describe (FromDescribe).
//
// The templates are embedded JSON files under data/, one per template, so a
// template is edited without touching code. Their picklist choices are the
// standard values of a Salesforce org, taken from the describes captured in
// ../shared/salesforce/fixtures/cumulusci (Task's Status and Priority from
// Salesforce's documented defaults); an org's own values replace them once
// the sheet is mapped against its describe.
//
// The package depends only on sheets: it does not know the crm client, whose
// describe results the app converts into FieldInfo.
package templates
