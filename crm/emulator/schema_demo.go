package emulator

import (
	"strconv"
	"strings"
)

// The demo org's metadata, modelled field by field on the real describes in
// shared/salesforce/fixtures/cumulusci (lengths, byte lengths, flags,
// picklist values, relationship names). schema_test.go compares every field
// that exists in both against those captures.

func newField(name, label, typ string) *Field {
	f := &Field{Name: name, Label: label, Type: typ, Nillable: true, Createable: true, Updateable: true}
	return f
}

func text(name, label string, length int) *Field {
	f := newField(name, label, typeString)
	f.Length = length
	return f
}

func textarea(name, label string, length int) *Field {
	f := newField(name, label, typeTextarea)
	f.Length = length
	return f
}

func email(name, label string) *Field {
	f := newField(name, label, typeEmail)
	f.Length = 80
	f.IDLookup = true
	return f
}

func phone(name, label string) *Field {
	f := newField(name, label, typePhone)
	f.Length = 40
	return f
}

func urlField(name, label string) *Field {
	f := newField(name, label, typeURL)
	f.Length = 255
	return f
}

func picklist(name, label string, length int, values ...string) *Field {
	f := newField(name, label, typePicklist)
	f.Length = length
	for _, v := range values {
		f.Picklist = append(f.Picklist, PicklistValue{Value: v, Label: v})
	}
	return f
}

func currency(name, label string, precision, scale int) *Field {
	f := newField(name, label, typeCurrency)
	f.Precision, f.Scale = precision, scale
	return f
}

func number(name, label, typ string, precision, scale int) *Field {
	f := newField(name, label, typ)
	f.Precision, f.Scale = precision, scale
	return f
}

func integer(name, label string, digits int) *Field {
	f := newField(name, label, typeInt)
	f.Digits = digits
	return f
}

func date(name, label string) *Field { return newField(name, label, typeDate) }

func boolean(name, label string) *Field {
	f := newField(name, label, typeBoolean)
	f.Nillable = false
	f.DefaultedOnCreate = true
	f.DefaultValue = false
	return f
}

func lookup(name, label, relationship, childRel string, to ...string) *Field {
	f := newField(name, label, typeReference)
	f.Length = 18
	f.ReferenceTo = to
	f.RelationshipName = relationship
	f.childRel = childRel
	f.PolymorphicForeignKey = len(to) > 1
	return f
}

// required marks a field that a create must supply.
func (f *Field) required() *Field { f.Nillable = false; return f }

// readOnly marks a field the API may not write (system or computed).
func (f *Field) readOnly() *Field { f.Createable, f.Updateable = false, false; return f }

// custom marks a custom (__c) field.
func (f *Field) custom() *Field { f.Custom = true; return f }

// defaulted marks a field the server fills when a create omits it; a
// picklist's default entry is the one named by def.
func (f *Field) defaulted(def string) *Field {
	f.DefaultedOnCreate = true
	for i := range f.Picklist {
		if f.Picklist[i].Value == def {
			f.Picklist[i].Default = true
		}
	}
	return f
}

// restricted marks a restricted picklist: other values are rejected with
// INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST.
func (f *Field) restricted() *Field { f.RestrictedPicklist = true; return f }

// externalKey marks a unique external id usable for upsert.
func (f *Field) externalKey() *Field {
	f.ExternalID, f.Unique, f.IDLookup = true, true, true
	return f
}

// calculatedAs marks a read-only formula field.
func (f *Field) calculatedAs(formula string) *Field {
	f.readOnly()
	f.Calculated = true
	f.Formula = formula
	return f
}

// standardHead returns Id and IsDeleted, the first fields of every object.
func standardHead(objLabel string) []*Field {
	id := newField("Id", objLabel+" ID", typeID).readOnly()
	id.Nillable, id.DefaultedOnCreate, id.IDLookup, id.Length = false, true, true, 18
	del := boolean("IsDeleted", "Deleted").readOnly()
	return []*Field{id, del}
}

// ownerField is the OwnerId lookup, defaulted to the demo user on create.
func ownerField() *Field {
	f := lookup("OwnerId", "Owner ID", "Owner", "", "User")
	f.Nillable, f.DefaultedOnCreate = false, true
	return f
}

// auditFields returns the system audit fields every object ends with.
func auditFields() []*Field {
	dt := func(name, label string) *Field {
		f := newField(name, label, typeDatetime).readOnly()
		f.Nillable, f.DefaultedOnCreate = false, true
		return f
	}
	by := func(name, label, rel string) *Field {
		f := lookup(name, label, rel, "", "User").readOnly()
		f.Nillable, f.DefaultedOnCreate = false, true
		return f
	}
	return []*Field{
		dt("CreatedDate", "Created Date"), by("CreatedById", "Created By ID", "CreatedBy"),
		dt("LastModifiedDate", "Last Modified Date"), by("LastModifiedById", "Last Modified By ID", "LastModifiedBy"),
		dt("SystemModstamp", "System Modstamp"),
	}
}

func fields(groups ...[]*Field) []*Field {
	var out []*Field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// fullName computes Contact/Lead/User.Name from FirstName and LastName.
func fullName(o *Object, vals []any) any {
	first, _ := vals[o.byName["firstname"].index].(string)
	last, _ := vals[o.byName["lastname"].index].(string)
	if first == "" {
		return last
	}
	return first + " " + last
}

// stageProbability returns the default probability of an opportunity stage.
func stageProbability(o *Object, stage string) (float64, bool) {
	for _, p := range o.byName["stagename"].Picklist {
		if p.Value == stage {
			return p.Probability, true
		}
	}
	return 0, false
}

func stringIn(vals []any, f *Field, set ...string) bool {
	v, _ := vals[f.index].(string)
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func numberOf(vals []any, o *Object, field string) (float64, bool) {
	v, ok := vals[o.byName[field].index].(float64)
	return v, ok
}

var opportunityStages = []PicklistValue{
	{Value: "Prospecting", Probability: 10}, {Value: "Qualification", Probability: 10},
	{Value: "Needs Analysis", Probability: 20}, {Value: "Value Proposition", Probability: 50},
	{Value: "Id. Decision Makers", Probability: 60}, {Value: "Perception Analysis", Probability: 70},
	{Value: "Proposal/Price Quote", Probability: 75}, {Value: "Negotiation/Review", Probability: 90},
	{Value: "Closed Won", Probability: 100}, {Value: "Closed Lost", Probability: 0},
}

var industries = []string{"Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals",
	"Communications", "Construction", "Consulting", "Education", "Electronics", "Energy",
	"Engineering", "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government",
	"Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media",
	"Not For Profit", "Recreation", "Retail", "Shipping", "Technology", "Telecommunications",
	"Transportation", "Utilities", "Other"}

var leadSources = []string{"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"}

var salutations = []string{"Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx."}

// Customer tiers and plan tiers are the demo org's restricted picklists.
var (
	customerTiers = []string{"Bronze", "Silver", "Gold", "Platinum"}
	planTiers     = []string{"Starter", "Growth", "Scale", "Enterprise"}
)

func accountObject() *Object {
	name := text("Name", "Account Name", 255).required()
	name.NameField = true
	return &Object{
		Name: "Account", Label: "Account", LabelPlural: "Accounts", KeyPrefix: PrefixAccount,
		Fields: fields(standardHead("Account"), []*Field{
			name,
			picklist("Type", "Account Type", 40, "Prospect", "Customer - Direct", "Customer - Channel",
				"Channel Partner / Reseller", "Installation Partner", "Technology Partner", "Other"),
			lookup("ParentId", "Parent Account ID", "Parent", "ChildAccounts", "Account"),
			textarea("BillingStreet", "Billing Street", 255),
			text("BillingCity", "Billing City", 40),
			text("BillingState", "Billing State/Province", 80),
			text("BillingPostalCode", "Billing Zip/Postal Code", 20),
			text("BillingCountry", "Billing Country", 80),
			phone("Phone", "Account Phone"),
			urlField("Website", "Website"),
			picklist("Industry", "Industry", 40, industries...),
			currency("AnnualRevenue", "Annual Revenue", 18, 0),
			integer("NumberOfEmployees", "Employees", 8),
			text("AccountNumber", "Account Number", 40),
			picklist("Rating", "Account Rating", 40, "Hot", "Warm", "Cold"),
			textarea("Description", "Account Description", 32000),
			ownerField(),
		}, auditFields(), []*Field{
			picklist("Customer_Tier__c", "Customer Tier", 255, customerTiers...).restricted().custom(),
			text("Account_Key__c", "Account Key", 40).externalKey().custom(),
			// A roll-up summary (SUM of Opportunity.Amount, see rollup.go):
			// read-only like a formula. Describe reports roll-up summaries
			// as calculated without a formula (observed on orgs, not
			// documented field by field).
			func() *Field {
				f := currency(rollupField, "Total Opportunity Amount", 18, 2).readOnly().custom()
				f.Calculated = true
				return f
			}(),
		}),
	}
}

func contactObject() *Object {
	name := text("Name", "Full Name", 121).readOnly()
	name.Nillable, name.NameField = false, true
	return &Object{
		Name: "Contact", Label: "Contact", LabelPlural: "Contacts", KeyPrefix: PrefixContact,
		Fields: fields(standardHead("Contact"), []*Field{
			lookup("AccountId", "Account ID", "Account", "Contacts", "Account"),
			text("LastName", "Last Name", 80).required(),
			text("FirstName", "First Name", 40),
			picklist("Salutation", "Salutation", 40, salutations...),
			name,
			textarea("MailingStreet", "Mailing Street", 255),
			text("MailingCity", "Mailing City", 40),
			text("MailingState", "Mailing State/Province", 80),
			text("MailingPostalCode", "Mailing Zip/Postal Code", 20),
			text("MailingCountry", "Mailing Country", 80),
			phone("Phone", "Business Phone"),
			phone("MobilePhone", "Mobile Phone"),
			lookup("ReportsToId", "Reports To ID", "ReportsTo", "", "Contact"),
			email("Email", "Email"),
			text("Title", "Title", 128),
			text("Department", "Department", 80),
			picklist("LeadSource", "Lead Source", 255, leadSources...),
			date("Birthdate", "Birthdate"),
			textarea("Description", "Contact Description", 32000),
			boolean("HasOptedOutOfEmail", "Email Opt Out"),
			ownerField(),
		}, auditFields(), []*Field{
			text("Research_Area__c", "Research Area", 255).custom(),
			text("External_Key__c", "External Key", 64).externalKey().custom(),
		}),
		formulas: []formula{{eval: fullName}},
	}
}

func leadObject() *Object {
	name := text("Name", "Full Name", 121).readOnly()
	name.Nillable, name.NameField = false, true
	return &Object{
		Name: "Lead", Label: "Lead", LabelPlural: "Leads", KeyPrefix: PrefixLead,
		Fields: fields(standardHead("Lead"), []*Field{
			text("LastName", "Last Name", 80).required(),
			text("FirstName", "First Name", 40),
			picklist("Salutation", "Salutation", 40, salutations...),
			name,
			text("Title", "Title", 128),
			text("Company", "Company", 255).required(),
			text("City", "City", 40),
			text("State", "State/Province", 80),
			text("Country", "Country", 80),
			phone("Phone", "Phone"),
			email("Email", "Email"),
			urlField("Website", "Website"),
			textarea("Description", "Description", 32000),
			picklist("LeadSource", "Lead Source", 255, leadSources...),
			picklist("Status", "Status", 255, "Open - Not Contacted", "Working - Contacted",
				"Closed - Converted", "Closed - Not Converted").required().defaulted("Open - Not Contacted"),
			picklist("Industry", "Industry", 255, industries...),
			picklist("Rating", "Rating", 255, "Hot", "Warm", "Cold"),
			currency("AnnualRevenue", "Annual Revenue", 18, 0),
			integer("NumberOfEmployees", "Employees", 8),
			ownerField(),
			func() *Field { f := boolean("IsConverted", "Converted"); f.Updateable = false; return f }(),
		}, auditFields()),
		formulas: []formula{{eval: fullName}},
	}
}

func opportunityObject() *Object {
	name := text("Name", "Name", 120).required()
	name.NameField, name.IDLookup = true, true
	stage := picklist("StageName", "Stage", 255).required()
	stage.Picklist = append([]PicklistValue(nil), opportunityStages...)
	for i := range stage.Picklist {
		stage.Picklist[i].Label = stage.Picklist[i].Value
	}
	probability := number("Probability", "Probability (%)", typePercent, 3, 0)
	probability.DefaultedOnCreate = true
	expected := currency("ExpectedRevenue", "Expected Amount", 18, 2).readOnly()
	return &Object{
		Name: "Opportunity", Label: "Opportunity", LabelPlural: "Opportunities", KeyPrefix: PrefixOpportunity,
		Fields: fields(standardHead("Opportunity"), []*Field{
			lookup("AccountId", "Account ID", "Account", "Opportunities", "Account"),
			name,
			textarea("Description", "Description", 32000),
			stage,
			currency("Amount", "Amount", 18, 2),
			probability,
			expected,
			date("CloseDate", "Close Date").required(),
			picklist("Type", "Opportunity Type", 255, "Existing Customer - Upgrade",
				"Existing Customer - Replacement", "Existing Customer - Downgrade", "New Customer"),
			text("NextStep", "Next Step", 255),
			picklist("LeadSource", "Lead Source", 255, leadSources...),
			boolean("IsClosed", "Closed").readOnly(),
			boolean("IsWon", "Won").readOnly(),
			ownerField(),
		}, auditFields(), []*Field{
			boolean("Is_Big_Deal__c", "Big Deal").calculatedAs("Amount >= 100000").custom(),
		}),
		formulas: []formula{
			{eval: func(o *Object, vals []any) any {
				amount, ok1 := numberOf(vals, o, "amount")
				prob, ok2 := numberOf(vals, o, "probability")
				if !ok1 || !ok2 {
					return nil
				}
				return amount * prob / 100
			}},
			{eval: func(o *Object, vals []any) any {
				return stringIn(vals, o.byName["stagename"], "Closed Won", "Closed Lost")
			}},
			{eval: func(o *Object, vals []any) any { return stringIn(vals, o.byName["stagename"], "Closed Won") }},
			{eval: func(o *Object, vals []any) any {
				amount, ok := numberOf(vals, o, "amount")
				return ok && amount >= 100000
			}},
		},
	}
}

func taskObject() *Object {
	subject := newField("Subject", "Subject", typeCombobox)
	subject.Length = 255
	return &Object{
		Name: "Task", Label: "Task", LabelPlural: "Tasks", KeyPrefix: PrefixTask,
		Fields: fields(standardHead("Activity"), []*Field{
			lookup("WhoId", "Name ID", "Who", "Tasks", "Contact", "Lead"),
			lookup("WhatId", "Related To ID", "What", "Tasks", "Account", "Opportunity", "Case", "Subscription__c"),
			subject,
			date("ActivityDate", "Due Date Only"),
			picklist("Status", "Status", 40, "Not Started", "In Progress", "Completed",
				"Waiting on someone else", "Deferred").required().defaulted("Not Started"),
			picklist("Priority", "Priority", 40, "High", "Normal", "Low").required().defaulted("Normal"),
			ownerField(),
			textarea("Description", "Description", 32000),
			picklist("Type", "Type", 40, "Call", "Email", "Meeting", "Other"),
			boolean("IsClosed", "Closed").readOnly(),
		}, auditFields()),
		formulas: []formula{{eval: func(o *Object, vals []any) any {
			return stringIn(vals, o.byName["status"], "Completed")
		}}},
	}
}

func caseObject() *Object {
	number := text("CaseNumber", "Case Number", 30).readOnly()
	number.Nillable, number.DefaultedOnCreate, number.AutoNumber, number.IDLookup, number.NameField = false, true, true, true, true
	closed := newField("ClosedDate", "Closed Date", typeDatetime).readOnly()
	return &Object{
		Name: "Case", Label: "Case", LabelPlural: "Cases", KeyPrefix: PrefixCase,
		Fields: fields(standardHead("Case"), []*Field{
			number,
			lookup("ContactId", "Contact ID", "Contact", "Cases", "Contact"),
			lookup("AccountId", "Account ID", "Account", "Cases", "Account"),
			picklist("Type", "Case Type", 40, "Mechanical", "Electrical", "Electronic", "Structural", "Other"),
			picklist("Status", "Status", 40, "New", "Working", "Escalated", "Closed").defaulted("New"),
			picklist("Reason", "Case Reason", 40, "Installation", "Equipment Complexity", "Performance",
				"Breakdown", "Equipment Design", "Feedback", "Other"),
			picklist("Origin", "Case Origin", 40, "Phone", "Email", "Web"),
			text("Subject", "Subject", 255),
			picklist("Priority", "Priority", 40, "High", "Medium", "Low").defaulted("Medium"),
			textarea("Description", "Description", 32000),
			boolean("IsClosed", "Closed").readOnly(),
			closed,
			ownerField(),
		}, auditFields()),
		formulas: []formula{{eval: func(o *Object, vals []any) any {
			return stringIn(vals, o.byName["status"], "Closed")
		}}},
	}
}

// caseCommentObject is CaseComment as Salesforce describes it: a comment
// bound to its case by ParentId, which a create sets and an update cannot
// change; no name field and no owner.
func caseCommentObject() *Object {
	parent := lookup("ParentId", "Parent ID", "Parent", "CaseComments", "Case").required()
	parent.Updateable = false
	return &Object{
		Name: "CaseComment", Label: "Case Comment", LabelPlural: "Case Comments", KeyPrefix: PrefixCaseComment,
		Fields: fields(standardHead("Case Comment"), []*Field{
			parent,
			boolean("IsPublished", "Published"),
			textarea("CommentBody", "Body", 4000),
		}, auditFields()),
	}
}

func userObject() *Object {
	username := text("Username", "Username", 80).required()
	username.Unique, username.IDLookup = true, true
	name := text("Name", "Full Name", 121).readOnly()
	name.Nillable, name.NameField = false, true
	return &Object{
		Name: "User", Label: "User", LabelPlural: "Users", KeyPrefix: PrefixUser,
		Fields: fields(standardHead("User"), []*Field{
			username,
			text("LastName", "Last Name", 80).required(),
			text("FirstName", "First Name", 40),
			name,
			text("CompanyName", "Company Name", 80),
			text("Title", "Title", 80),
			func() *Field { f := email("Email", "Email"); f.Nillable, f.IDLookup = false, false; return f }(),
			text("Alias", "Alias", 8).required(),
			boolean("IsActive", "Active"),
			lookup("ProfileId", "Profile ID", "Profile", "Users", "Profile").required(),
			picklist("TimeZoneSidKey", "Time Zone", 40, "Europe/London", "Europe/Paris", "America/New_York",
				"America/Los_Angeles", "Asia/Tokyo", "GMT").required(),
		}, auditFields()),
		formulas: []formula{{eval: fullName}},
	}
}

// organizationObject is the one-row Organization tools read at login
// (Salesforce's CLI asks for Name, InstanceName, IsSandbox,
// TrialExpirationDate and NamespacePrefix on every auth). The API may only
// read it, and like Salesforce's it has no IsDeleted.
func organizationObject() *Object {
	name := text("Name", "Name", 80).required()
	name.NameField = true
	return &Object{
		Name: "Organization", Label: "Organization", LabelPlural: "Organizations", KeyPrefix: PrefixOrg,
		readOnly: true,
		Fields: fields(standardHead("Organization")[:1], []*Field{
			name,
			text("Division", "Division", 80),
			text("Country", "Country", 80),
			phone("Phone", "Phone"),
			text("InstanceName", "Instance Name", 5),
			boolean("IsSandbox", "Is Sandbox"),
			picklist("OrganizationType", "Edition", 40, "Team Edition", "Professional Edition",
				"Enterprise Edition", "Developer Edition", "Personal Edition", "Unlimited Edition",
				"Contact Manager Edition", "Base Edition"),
			newField("TrialExpirationDate", "Trial Expiration Date", typeDatetime),
			text("NamespacePrefix", "Namespace Prefix", 15),
			picklist("DefaultLocaleSidKey", "Locale", 40, "en_US", "en_GB", "fr_FR", "de_DE"),
			picklist("LanguageLocaleKey", "Language", 40, "en_US", "fr", "de"),
			picklist("TimeZoneSidKey", "Time Zone", 40, "Europe/London", "Europe/Paris", "America/New_York",
				"America/Los_Angeles", "Asia/Tokyo", "GMT"),
		}, auditFields()),
	}
}

// profileObject is Profile, which every User points to through ProfileId.
// The API may only read it (profiles are managed as metadata); it has no
// IsDeleted.
func profileObject() *Object {
	name := text("Name", "Name", 255).required()
	name.NameField = true
	return &Object{
		Name: "Profile", Label: "Profile", LabelPlural: "Profile", KeyPrefix: PrefixProfile,
		readOnly: true,
		Fields: fields(standardHead("Profile")[:1], []*Field{
			name,
			picklist("UserType", "User Type", 40, "Standard", "PowerPartner", "CsnOnly", "Guest"),
			textarea("Description", "Description", 255),
		}, auditFields()),
	}
}

func subscriptionObject() *Object {
	name := text("Name", "Subscription Name", 80)
	name.DefaultedOnCreate, name.IDLookup, name.NameField = true, true, true
	account := lookup("Account__c", "Account", "Account__r", "Subscriptions__r", "Account").custom()
	return &Object{
		Name: "Subscription__c", Label: "Subscription", LabelPlural: "Subscriptions",
		KeyPrefix: PrefixSubscription, Custom: true,
		Fields: fields(standardHead("Record"), []*Field{ownerField(), name}, auditFields(), []*Field{
			account,
			currency("MRR__c", "MRR", 16, 2).custom(),
			picklist("Plan_Tier__c", "Plan Tier", 255, planTiers...).restricted().custom(),
			date("Renewal_Date__c", "Renewal Date").custom(),
			func() *Field { f := boolean("Active__c", "Active").custom(); f.DefaultValue = true; return f }(),
			currency("ARR__c", "ARR", 18, 2).calculatedAs("MRR__c * 12").custom(),
		}),
		formulas: []formula{{eval: func(o *Object, vals []any) any {
			mrr, ok := numberOf(vals, o, "mrr__c")
			if !ok {
				return nil
			}
			return mrr * 12
		}}},
	}
}

// formulaFieldNames names, per object, the fields its formulas compute, in
// the order of Object.formulas.
var formulaFieldNames = map[string][]string{
	"Contact":         {"Name"},
	"Lead":            {"Name"},
	"User":            {"Name"},
	"Opportunity":     {"ExpectedRevenue", "IsClosed", "IsWon", "Is_Big_Deal__c"},
	"Task":            {"IsClosed"},
	"Case":            {"IsClosed"},
	"Subscription__c": {"ARR__c"},
}

// DemoSchema returns a fresh copy of the demo org's metadata. Callers may
// read it freely; the server keeps its own copy.
func DemoSchema() *Schema {
	s := newSchema(accountObject(), caseObject(), caseCommentObject(), contactObject(), leadObject(),
		opportunityObject(), organizationObject(), profileObject(), subscriptionObject(),
		taskObject(), userObject())
	for _, o := range s.Objects {
		names := formulaFieldNames[o.Name]
		for i := range o.formulas {
			o.formulas[i].field = o.byName[strings.ToLower(names[i])]
		}
		for _, f := range o.Fields {
			if f.Type == typeBoolean && f.DefaultValue == nil {
				f.DefaultValue = false
			}
		}
	}
	return s
}

// caseNumber formats the n-th case number as Salesforce's default
// auto-number does (eight digits, starting at 00001000).
func caseNumber(n int) string {
	s := strconv.Itoa(1000 + n)
	return strings.Repeat("0", max(0, 8-len(s))) + s
}
