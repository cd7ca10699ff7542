package emulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// The seed generator: a realistic, deterministic demo org. For a given
// seed, account count and day of the clock it always produces the same
// records with the same ids (dates are relative to the day the org is
// seeded, so that filters like LAST_N_DAYS:30 find something). Per account:
// 1–5 contacts, 0–3 opportunities spread over every stage, a subscription
// for most, a case for some, a task or two; plus one lead per two accounts.

// seedBatch is the number of records written per transaction while seeding.
const seedBatch = 20000

type seeder struct {
	s *Server
	// domains counts the accounts per website domain, so each account gets
	// its own website; see twinEvery for the deliberate exceptions.
	domains map[string]int
	// prev is the last account's name and domain, which a twin repeats.
	prevName, prevDomain string
	f                    *gofakeit.Faker
	now                  time.Time
	tx                   *writeTxn
	n                    int
	err                  error
	count                map[string]int
}

func (s *Server) seed(accounts int, seed int64) error {
	sd := &seeder{s: s, f: gofakeit.New(uint64(seed)), now: s.now().UTC(), count: map[string]int{}, domains: map[string]int{}}
	sd.tx = s.begin()
	for i := 1; i <= accounts && sd.err == nil; i++ {
		sd.account(i)
	}
	for i := 1; i <= accounts/2 && sd.err == nil; i++ {
		sd.lead()
	}
	if err := sd.tx.commit(); err != nil && sd.err == nil {
		sd.err = err
	}
	if sd.err != nil {
		return sd.err
	}
	s.log.Info("seeded demo org", "accounts", accounts, "records", sd.n)
	return nil
}

// insert writes one record, committing every seedBatch records.
func (sd *seeder) insert(object string, fields map[string]any) string {
	if sd.err != nil {
		return ""
	}
	t := sd.s.tables[sd.s.mustObject(object)]
	rec, errs := sd.tx.insert(t, fields, writeMode{system: true})
	if errs != nil {
		sd.err = fmt.Errorf("seed %s: %w", object, errorsOf(errs))
		return ""
	}
	sd.n++
	sd.count[object]++
	if sd.n%seedBatch == 0 {
		if err := sd.tx.commit(); err != nil {
			sd.err = err
		}
		sd.tx = sd.s.begin()
	}
	return rec.id(t.obj)
}

// past returns a dateTime between minDays and maxDays before now.
func (sd *seeder) past(minDays, maxDays int) time.Time {
	return sd.now.Add(-time.Duration(sd.f.IntRange(minDays*24*60, maxDays*24*60)) * time.Minute).Truncate(time.Second)
}

// audit returns CreatedDate and LastModifiedDate values for a record
// created within the last two years.
func (sd *seeder) audit(fields map[string]any) map[string]any {
	created := sd.past(1, 730)
	modified := created.Add(time.Duration(sd.f.IntRange(0, int(sd.now.Sub(created).Minutes()))) * time.Minute)
	fields["CreatedDate"] = formatDateTime(created)
	fields["LastModifiedDate"] = formatDateTime(modified)
	fields["SystemModstamp"] = formatDateTime(modified)
	return fields
}

func (sd *seeder) pick(values []string) string { return values[sd.f.IntRange(0, len(values)-1)] }

func emailLocal(first, last string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, strings.ToLower(s))
	}
	return clean(first) + "." + clean(last)
}

// twinEvery: every twinEvery-th account repeats the previous account's name
// and website, the way a real org ends up with the same company entered
// twice. These few pairs are what the duplicate-rule demo and the
// ambiguous-key messages show; every other account has its own website, so
// matching Accounts by Website works from the start.
const twinEvery = 97

func (sd *seeder) account(i int) {
	f := sd.f
	company := f.Company()
	base := strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, company))
	// gofakeit repeats company names: number the repeats' domains.
	sd.domains[base]++
	domain := base + ".example"
	if n := sd.domains[base]; n > 1 {
		domain = fmt.Sprintf("%s%d.example", base, n)
	}
	if i%twinEvery == 0 && sd.prevName != "" {
		company, domain = sd.prevName, sd.prevDomain
	}
	sd.prevName, sd.prevDomain = company, domain
	acc := sd.insert("Account", sd.audit(map[string]any{
		"Name":              company,
		"Type":              sd.pick([]string{"Prospect", "Customer - Direct", "Customer - Channel", "Technology Partner"}),
		"Industry":          sd.pick(industries),
		"BillingStreet":     f.Street(),
		"BillingCity":       f.City(),
		"BillingState":      f.State(),
		"BillingPostalCode": f.Zip(),
		"BillingCountry":    f.Country(),
		"Phone":             f.Phone(),
		"Website":           "https://www." + domain,
		"AnnualRevenue":     float64(f.IntRange(2, 5000) * 100000),
		"NumberOfEmployees": float64(f.IntRange(5, 20000)),
		"Rating":            sd.pick([]string{"Hot", "Warm", "Cold"}),
		"Customer_Tier__c":  sd.pick(customerTiers),
		"Account_Key__c":    fmt.Sprintf("ACC-%06d", i),
	}))
	contacts := make([]string, 0, 5)
	for c := f.IntRange(1, 5); c > 0; c-- {
		first, last := f.FirstName(), f.LastName()
		n := sd.count["Contact"] + 1
		contacts = append(contacts, sd.insert("Contact", sd.audit(map[string]any{
			"AccountId":        acc,
			"FirstName":        first,
			"LastName":         last,
			"Salutation":       sd.pick(salutations),
			"Email":            fmt.Sprintf("%s%d@%s", emailLocal(first, last), n, domain),
			"Title":            f.JobTitle(),
			"Phone":            f.Phone(),
			"MailingCity":      f.City(),
			"MailingCountry":   f.Country(),
			"LeadSource":       sd.pick(leadSources),
			"Research_Area__c": f.BuzzWord(),
			"External_Key__c":  fmt.Sprintf("CON-%07d", n),
		})))
	}
	for o := f.IntRange(0, 3); o > 0; o-- {
		stage := opportunityStages[f.IntRange(0, len(opportunityStages)-1)].Value
		closeDate := sd.now.AddDate(0, 0, f.IntRange(-180, 180))
		sd.insert("Opportunity", sd.audit(map[string]any{
			"AccountId":  acc,
			"Name":       company + " - " + sd.pick([]string{"Renewal", "Expansion", "New Business", "Pilot", "Upgrade"}),
			"StageName":  stage,
			"CloseDate":  closeDate.Format(time.DateOnly),
			"Amount":     float64(f.IntRange(5, 500) * 1000),
			"Type":       sd.pick([]string{"New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement"}),
			"LeadSource": sd.pick(leadSources),
			"NextStep":   sd.pick([]string{"Send proposal", "Schedule demo", "Legal review", "Follow up call", ""}),
		}))
	}
	if f.IntRange(1, 10) <= 7 {
		sd.insert("Subscription__c", sd.audit(map[string]any{
			"Name":            company + " subscription",
			"Account__c":      acc,
			"MRR__c":          float64(f.IntRange(1, 400) * 50),
			"Plan_Tier__c":    sd.pick(planTiers),
			"Renewal_Date__c": sd.now.AddDate(0, 0, f.IntRange(-30, 365)).Format(time.DateOnly),
			"Active__c":       f.IntRange(1, 10) <= 9,
		}))
	}
	if f.IntRange(1, 10) <= 3 {
		cs := sd.insert("Case", sd.audit(map[string]any{
			"AccountId": acc,
			"ContactId": contacts[0],
			"Subject":   sd.pick([]string{"Cannot log in", "Invoice question", "Feature request", "Data import failed", "Slow dashboard"}),
			"Status":    sd.pick([]string{"New", "Working", "Escalated", "Closed"}),
			"Priority":  sd.pick([]string{"High", "Medium", "Low"}),
			"Origin":    sd.pick([]string{"Phone", "Email", "Web"}),
		}))
		// A comment on some cases; drawn from the account's index so the
		// generator's sequence (and every later record) stays as it was.
		if i%2 == 0 {
			sd.insert("CaseComment", sd.audit(map[string]any{
				"ParentId":    cs,
				"CommentBody": "Called the customer back; waiting for their logs.",
				"IsPublished": i%4 == 0,
			}))
		}
	}
	for k := f.IntRange(1, 2); k > 0; k-- {
		sd.insert("Task", sd.audit(map[string]any{
			"WhoId":        contacts[f.IntRange(0, len(contacts)-1)],
			"WhatId":       acc,
			"Subject":      sd.pick([]string{"Call", "Send quote", "Email follow-up", "Quarterly review"}),
			"ActivityDate": sd.now.AddDate(0, 0, f.IntRange(-60, 30)).Format(time.DateOnly),
			"Status":       sd.pick([]string{"Not Started", "In Progress", "Completed"}),
			"Priority":     sd.pick([]string{"High", "Normal", "Low"}),
			"Type":         sd.pick([]string{"Call", "Email", "Meeting"}),
		}))
	}
}

func (sd *seeder) lead() {
	f := sd.f
	first, last := f.FirstName(), f.LastName()
	company := f.Company()
	sd.insert("Lead", sd.audit(map[string]any{
		"FirstName":  first,
		"LastName":   last,
		"Company":    company,
		"Title":      f.JobTitle(),
		"Email":      fmt.Sprintf("%s%d@%s.example", emailLocal(first, last), sd.count["Lead"]+1, emailLocal("", company)[1:]),
		"Phone":      f.Phone(),
		"City":       f.City(),
		"Country":    f.Country(),
		"LeadSource": sd.pick(leadSources),
		"Status":     sd.pick([]string{"Open - Not Contacted", "Working - Contacted", "Closed - Not Converted"}),
		"Industry":   sd.pick(industries),
		"Rating":     sd.pick([]string{"Hot", "Warm", "Cold"}),
	}))
}
