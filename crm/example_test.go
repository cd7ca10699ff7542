package crm_test

import (
	"fmt"

	"crmsheets/crm"
)

func ExampleSelect() {
	q, err := crm.Select("Id", "Name", "Account.Name").
		From("Contact").
		Where("LastName", "=", "O'Brien").
		InStrings("Email", []string{"a@example.com", "b@example.com"}).
		OrderBy("Name", false).
		Limit(200).
		Build()
	fmt.Println(q, err)
	// Output: SELECT Id, Name, Account.Name FROM Contact WHERE LastName = 'O\'Brien' AND Email IN ('a@example.com', 'b@example.com') ORDER BY Name LIMIT 200 <nil>
}

func ExampleQuote() {
	fmt.Println(crm.Quote(`' OR Name != '`))
	fmt.Println(crm.Quote("two\nlines \\ done"))
	// Output:
	// '\' OR Name != \''
	// 'two\nlines \\ done'
}

func ExampleTo18() {
	id, err := crm.To18("0015500001QdZPK")
	fmt.Println(id, err)
	// Output: 0015500001QdZPKAA3 <nil>
}
