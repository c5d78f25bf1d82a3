package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// sampleCountry is a country of the network with places its field staff
// work in and partners they work with.
type sampleCountry struct {
	code     string
	places   []string
	partners []string
	org      string
}

var sampleCountries = []sampleCountry{
	{"MW", []string{"Zomba", "Lilongwe", "Mzuzu", "Machinga", "Mangochi", "Dedza"}, []string{"District Education Office", "Community Victim Support Unit", "Mothers' groups"}, "Child Rights Forum Malawi"},
	{"KH", []string{"Battambang", "Siem Reap", "Kampong Cham", "Phnom Penh", "Takeo"}, []string{"Commune council", "Provincial Department of Social Affairs", "Pagoda committee"}, "Cambodian Children's Advocacy Network"},
	{"MN", []string{"Ulaanbaatar", "Darkhan", "Erdenet", "Khovd", "Murun"}, []string{"Soum governor's office", "Family and child development agency", "School social workers"}, "Mongolian Child Protection Alliance"},
	{"IN", []string{"Pune", "Ranchi", "Patna", "Bhubaneswar", "Raipur"}, []string{"Gram panchayat", "Child welfare committee", "Anganwadi workers"}, "Bal Adhikar Manch"},
	{"PH", []string{"Quezon City", "Cebu", "Davao", "Iloilo", "Tacloban"}, []string{"Barangay council", "DSWD field office", "Parish youth ministry"}, "Philippine Children's Rights Coalition"},
	{"BD", []string{"Dhaka", "Khulna", "Sylhet", "Rangpur", "Barisal"}, []string{"Union parishad", "Upazila education office", "Madrasa teachers"}, "Shishu Odhikar Forum"},
	{"KE", []string{"Kisumu", "Nakuru", "Garissa", "Kilifi", "Turkana"}, []string{"County children's office", "Chiefs and elders", "Community health volunteers"}, "Kenya Child Rights Network"},
	{"TZ", []string{"Dodoma", "Mwanza", "Arusha", "Mbeya", "Zanzibar"}, []string{"Ward development committee", "Police gender and children desk", "Parents' associations"}, "Tanzania Child Protection Coalition"},
	{"LR", []string{"Monrovia", "Gbarnga", "Buchanan", "Voinjama"}, []string{"County child welfare committee", "Traditional council", "Radio stations"}, "Liberia Children's Advocacy Forum"},
	{"ZW", []string{"Harare", "Bulawayo", "Mutare", "Masvingo"}, []string{"Ward child protection committee", "School development committee", "Church leaders"}, "Zimbabwe Child Rights Forum"},
	{"VN", []string{"Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ"}, []string{"Commune people's committee", "Women's union", "Youth union"}, "Vietnam Child Rights Network"},
	{"AL", []string{"Tirana", "Shkodër", "Elbasan", "Korçë"}, []string{"Child protection unit", "School psychologists", "Municipal social services"}, "Albanian Coalition for Children"},
}

var sampleSummaries = map[string][]string{
	"training":           {"Trained %d teachers and community volunteers on spotting signs of abuse and how to refer a child safely.", "Two-day training for %d para-social workers on case management and confidentiality."},
	"awareness_campaign": {"Door-to-door campaign with posters and a community theatre piece; about %d households visited.", "Market-day campaign with a loudspeaker van and leaflets in the local language; %d people stopped to talk."},
	"community_dialogue": {"Dialogue with chiefs, religious leaders and parents; %d participants agreed on three actions.", "Evening dialogue in the community hall; %d parents discussed keeping girls in school."},
	"school_visit":       {"Visited %d classes to talk about safe ways to report violence and the helpline number.", "Met the school's child protection club; %d pupils presented their action plan."},
	"policy_meeting":     {"Met district officials to follow up the by-law on child marriage; %d officials attended.", "Presented the network's findings to the parliamentary committee; %d members present."},
	"media_engagement":   {"Radio phone-in programme on child labour; %d listeners called or sent messages.", "Briefed %d journalists on reporting about children without identifying them."},
	"case_referral":      {"Referred %d situations to the social welfare office and followed up within a week.", "Accompanied %d families to the district office to obtain birth certificates."},
	"other":              {"Planning meeting with %d volunteers for next quarter's activities."},
}

var sampleTitles = map[string]string{
	"training": "Training on %s", "awareness_campaign": "Awareness campaign: %s", "community_dialogue": "Community dialogue on %s",
	"school_visit": "School visit about %s", "policy_meeting": "Advocacy meeting on %s", "media_engagement": "Radio and press on %s",
	"case_referral": "Referrals related to %s", "other": "Planning: %s",
}

var sampleThemeWords = map[string]string{
	"child_labour": "child labour", "child_marriage": "child marriage", "education": "keeping children in school",
	"violence": "violence against children", "online_safety": "online safety", "birth_registration": "birth registration",
	"health_nutrition": "health and nutrition", "disability_inclusion": "disability inclusion",
	"conflict_displacement": "displaced children", "climate_environment": "climate and children",
	"juvenile_justice": "children in conflict with the law", "poverty": "families in poverty",
}

var sampleResources = []struct{ kind, title, body string }{
	{"guide", "Running a community dialogue on child marriage", "Step-by-step guide: who to invite, how to open the conversation, how to agree on follow-up actions, and how to record the meeting without naming any child."},
	{"policy_brief", "Birth registration: closing the gap in rural districts", "Why one child in four in the districts we work in has no birth certificate, and five changes local government can make this year."},
	{"experience", "How Zomba's mothers' groups kept 40 girls in school", "A field officer's account of two years of home visits, bursaries and dialogue with chiefs."},
	{"question", "How do you follow up referrals when the social welfare office is far away?", "Our nearest office is 90 km away. How do other organizations make sure referred families are not lost?"},
	{"guide", "Talking with children about online safety", "Activities for 10–14 year-olds on sharing photos, strangers online and where to get help."},
	{"experience", "Radio phone-ins that changed minds on child labour", "What we learned from twelve weekly programmes with a community radio station in Kisumu."},
	{"toolkit", "Reach matrix: counting without naming", "How to fill in the children-reached table by sex and age band, and why it never needs a child's name."},
	{"policy_brief", "Juvenile justice: diversion before detention", "Evidence from Mongolia and Albania on community alternatives for children in conflict with the law."},
	{"question", "Which messages work best against early marriage in pastoralist communities?", "We are preparing a campaign in Turkana and would welcome materials that worked elsewhere."},
	// Last, so that it heads the list (newest first) with its files.
	{"toolkit", sampleFilesFor, "Posters, a facilitator script and a short checklist for parents' groups organising walking groups to and from school."},
}

var sampleComments = []string{
	"Thank you for sharing. We will try this in our district next month.",
	"Could you share the posters you used? Our volunteers would like to adapt them.",
	"We had the same problem with transport; the district office agreed to monthly visits.",
	"Good follow-up. Please add the date of the next meeting.",
	"The radio station in our area offered free airtime after a similar meeting.",
}

// runSample fills a data folder with realistic records from the network's
// countries, for screenshots, demonstrations and the start-up benchmark.
func runSample(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	n := fs.Int("activities", 200, "number of activities to create")
	seed := fs.Uint64("seed", 20, "random seed, for repeatable data")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 0 {
		return fmt.Errorf("%w: --activities must not be negative", errUsage)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	rng := rand.New(rand.NewPCG(*seed, 2026))
	today := st.Now()

	for _, c := range sampleCountries {
		_, err := st.CreateOrganization(ctx, model.Organization{
			Name: c.org, Country: c.code,
			Description: "Member of the network working on " + sampleThemeWords[codes.Themes.Codes[rng.IntN(len(codes.Themes.Codes))]] + " and " + sampleThemeWords[codes.Themes.Codes[rng.IntN(len(codes.Themes.Codes))]] + ".",
			Contact:     "info@" + strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(c.org, "'", ""), " ", "")) + ".example",
		})
		if err != nil {
			return fmt.Errorf("sample: organization %s: %w", c.org, err)
		}
	}

	var firstActivities []string
	const batch = 2000
	for done := 0; done < *n; {
		size := min(batch, *n-done)
		as := make([]model.Activity, size)
		for i := range as {
			as[i] = sampleActivity(rng, today)
		}
		if err := st.CreateActivities(ctx, as); err != nil {
			return fmt.Errorf("sample: activities: %w", err)
		}
		if done == 0 {
			for _, a := range as[:min(len(as), 20)] {
				firstActivities = append(firstActivities, a.ID)
			}
		}
		done += size
	}

	if err := sampleConflicts(ctx, st, firstActivities); err != nil {
		return err
	}

	var resourceIDs []string
	for i, r := range sampleResources {
		c := sampleCountries[i%len(sampleCountries)]
		res, err := st.CreateResource(ctx, model.Resource{
			Kind: r.kind, Title: r.title, Body: r.body, Language: "en",
			Countries: []string{c.code}, Themes: pickThemes(rng), Link: "https://resources.a20.example/" + fmt.Sprint(i+1),
		})
		if err != nil {
			return fmt.Errorf("sample: resource %q: %w", r.title, err)
		}
		resourceIDs = append(resourceIDs, res.ID)
		if r.title == sampleFilesFor {
			if err := addSampleFiles(ctx, st, res.ID, rng); err != nil {
				return err
			}
		}
	}
	authors := []string{"Chikondi", "Sokha", "Bolormaa", "Amina", "Rahim", "Grace", "Ana", "Minh"}
	parents := append(append([]string(nil), resourceIDs...), firstActivities...)
	for i, id := range parents {
		entity := model.EntityResource
		if i >= len(resourceIDs) {
			entity = model.EntityActivity
		}
		for j := range 1 + rng.IntN(3) {
			_, err := st.CreateComment(ctx, model.Comment{ParentEntity: entity, ParentID: id,
				Author: authors[(i+j)%len(authors)], Body: sampleComments[rng.IntN(len(sampleComments))]})
			if err != nil {
				return fmt.Errorf("sample: comment: %w", err)
			}
		}
	}
	_, err = fmt.Fprintf(out, "created %d organizations, %d activities, %d resources and their comments in %s\n",
		len(sampleCountries), *n, len(sampleResources), cfg.dataDir)
	return err
}

func pickThemes(rng *rand.Rand) []string {
	k := 1 + rng.IntN(3)
	perm := rng.Perm(len(codes.Themes.Codes))
	out := make([]string, k)
	for i := range k {
		out[i] = codes.Themes.Codes[perm[i]]
	}
	return out
}

func sampleActivity(rng *rand.Rand, today time.Time) model.Activity {
	c := sampleCountries[rng.IntN(len(sampleCountries))]
	kind := codes.ActivityKinds.Codes[rng.IntN(len(codes.ActivityKinds.Codes))]
	themes := pickThemes(rng)
	start := today.AddDate(0, 0, -rng.IntN(3*365))
	a := model.Activity{
		Kind:      kind,
		Title:     fmt.Sprintf(sampleTitles[kind], sampleThemeWords[themes[0]]) + " — " + c.places[rng.IntN(len(c.places))],
		StartDate: start.Format(model.DateLayout),
		Country:   c.code,
		Place:     c.places[rng.IntN(len(c.places))],
		Themes:    themes,
		Partners:  c.partners[rng.IntN(len(c.partners))],
		Status:    "final",
	}
	if rng.IntN(5) == 0 {
		a.EndDate = start.AddDate(0, 0, 1+rng.IntN(3)).Format(model.DateLayout)
	}
	if rng.IntN(8) == 0 {
		a.Status = "draft"
	}
	people := 0
	for b := range 3 {
		if kind == "policy_meeting" || kind == "media_engagement" {
			break
		}
		a.Reach.Girls[b] = rng.IntN(40)
		a.Reach.Boys[b] = rng.IntN(40)
		if rng.IntN(4) == 0 {
			a.Reach.Unrecorded[b] = rng.IntN(10)
		}
	}
	a.Reach.Adults = rng.IntN(60)
	people = a.Reach.Children() + a.Reach.Adults
	sums := sampleSummaries[kind]
	a.Summary = fmt.Sprintf(sums[rng.IntN(len(sums))], max(people, 3+rng.IntN(20)))
	if rng.IntN(2) == 0 {
		a.FollowUp = "Visit again to check on the actions agreed; share the report with the district office."
		a.FollowUpDate = start.AddDate(0, 1, 0).Format(model.DateLayout)
	}
	return a
}

// sampleConflicts records what a colleague's laptop changed differently in
// two of the activities, as a sync would, so the Conflicts inbox has
// something to show.
func sampleConflicts(ctx context.Context, st *store.Store, ids []string) error {
	if len(ids) < 2 {
		return nil
	}
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	var cs []store.Conflict
	for i, id := range ids[:2] {
		a, err := st.Activity(ctx, id)
		if err != nil {
			return fmt.Errorf("sample: conflict: %w", err)
		}
		c := store.Conflict{ID: model.NewID(), Entity: model.EntityActivity, RecordID: id,
			WinnerHLC: a.UpdatedAt.String(), LoserHLC: a.UpdatedAt.String(), LoserBy: "laptop-kasungu-02", CreatedAt: st.Now()}
		if i == 0 {
			c.Field, c.Winner, c.Loser = "title", raw(a.Title), raw(a.Title+" (with parents)")
		} else {
			c.Field, c.Winner, c.Loser = "girls_6_11", raw(a.Reach.Girls[1]), raw(a.Reach.Girls[1]+7)
		}
		cs = append(cs, c)
	}
	if err := st.ApplyRemote(ctx, nil, cs, nil); err != nil {
		return fmt.Errorf("sample: conflicts: %w", err)
	}
	return nil
}
