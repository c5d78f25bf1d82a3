package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/model"
)

// The network's countries, where most activities happen.
var networkCountries = []string{"IN", "MN", "PH", "TH", "VN", "LA", "BD", "ID", "KH", "KR",
	"KE", "TZ", "LR", "MW", "MU", "SD", "ZW", "HU", "AL", "AZ", "CN"}

var places = []string{"Lilongwe", "Blantyre", "Zomba", "Mzuzu", "Dhaka", "Sylhet", "Ulaanbaatar",
	"Darkhan", "Cebu", "Davao", "Chiang Mai", "Hà Nội", "Huế", "Vientiane", "Luang Prabang", "Phnom Penh",
	"Battambang", "Nairobi", "Kisumu", "Mombasa", "Arusha", "Dodoma", "Monrovia", "Port Louis", "Khartoum",
	"Harare", "Bulawayo", "Budapest", "Miskolc", "Tirana", "Shkodër", "Baku", "Ganja", "Yogyakarta", "Kolkata",
	"Patna", "Seoul", "Busan", "Chengdu"}

var subjects = []string{"school", "community", "district", "village", "parents", "teachers", "girls",
	"youth", "council", "radio", "police", "health", "workers", "leaders", "religious", "market", "clinic",
	"court", "church", "mosque", "temple", "union", "committee", "club", "students"}

var topics = []string{"early marriage", "child labour", "birth registration", "online safety", "bullying",
	"violence at home", "school dropout", "nutrition", "disability", "displacement", "floods", "juvenile court",
	"poverty", "trafficking", "street children", "corporal punishment", "mental health", "hygiene"}

var verbs = []string{"Awareness session on", "Training for %s about", "Dialogue with %s on", "Visit to %s about",
	"Meeting with %s on", "Radio programme on", "Referral follow-up on", "Workshop with %s on"}

// Function words come first: they are the most frequent words of any text.
var summaryWords = strings.Fields(`the and of to in with a for on was were at by from it they we children parents teachers community discussed agreed plan report
referral follow visit week month district office officer session group village school safe protection
rights law policy budget girls boys youth leaders mother father family home work field help care learn
talk listen share story campaign poster radio phone online message group circle meeting court police
health clinic nurse doctor water food meal bus road rain flood drought market farm harvest festival
mùa trường học 학교 아이들 школа дети 学校 儿童 bata paaralan watoto shule ʻanakʻ sekolah anak`)

// vocabulary is the summaries' words in order of frequency: the real words
// first, then made-up ones standing for the long tail of a real language.
// Summaries draw from it with a Zipf distribution, as text does: a few words
// are in most summaries ("the", "children"), most words in few.
var vocabulary = func() []string {
	v := slices.Clone(summaryWords)
	syllables := strings.Fields("ka li mo ne ru sa to vi ba de fu go hi ja ku la ma no pe qi")
	for _, a := range syllables {
		for _, b := range syllables {
			for _, c := range syllables[:5] {
				v = append(v, a+b+c)
			}
		}
	}
	return v
}()

// fakeActivity returns a realistic, valid, varied activity drawn from r.
func fakeActivity(r *rand.Rand) model.Activity {
	subject := subjects[r.IntN(len(subjects))]
	topic := topics[r.IntN(len(topics))]
	verb := verbs[r.IntN(len(verbs))]
	if strings.Contains(verb, "%s") {
		verb = fmt.Sprintf(verb, subject)
	}
	place := places[r.IntN(len(places))]
	a := model.Activity{
		Kind:      codes.ActivityKinds.Codes[r.IntN(len(codes.ActivityKinds.Codes))],
		Title:     fmt.Sprintf("%s %s in %s", verb, topic, place),
		StartDate: fmt.Sprintf("%04d-%02d-%02d", 2019+r.IntN(8), 1+r.IntN(12), 1+r.IntN(28)),
		Country:   networkCountries[r.IntN(len(networkCountries))],
		Place:     place,
		Status:    codes.Statuses.Codes[r.IntN(4)/3], // mostly final
	}
	if r.IntN(3) == 0 {
		a.EndDate = a.StartDate
	}
	if r.IntN(2) == 0 {
		lat, lon := r.Float64()*140-70, r.Float64()*360-180
		a.Lat, a.Lon = &lat, &lon
	}
	for _, i := range r.Perm(len(codes.Themes.Codes))[:1+r.IntN(3)] {
		a.Themes = append(a.Themes, codes.Themes.Codes[i])
	}
	for b := range 3 {
		a.Reach.Girls[b] = r.IntN(60)
		a.Reach.Boys[b] = r.IntN(60)
		a.Reach.Unrecorded[b] = r.IntN(5)
	}
	a.Reach.Adults = r.IntN(40)
	if r.IntN(2) == 0 {
		a.Partners = fmt.Sprintf("%s %s office", place, subjects[r.IntN(len(subjects))])
	}
	n := 20 + r.IntN(80)
	words := make([]string, n)
	z := rand.NewZipf(r, 1.1, 1, uint64(len(vocabulary)-1))
	for i := range words {
		words[i] = vocabulary[z.Uint64()]
	}
	a.Summary = strings.Join(words, " ") + "."
	if r.IntN(4) == 0 {
		a.FollowUp = "Follow up with the " + subject + " on " + topic + "."
		a.FollowUpDate = fmt.Sprintf("2027-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28))
	}
	return a
}
