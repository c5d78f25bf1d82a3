package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// shownCalls are functions and methods whose string arguments a person
// reads: Fyne widget constructors, setters and dialogs, and this package's
// own label helpers.
var shownCalls = map[string]bool{
	"NewLabel": true, "NewLabelWithStyle": true, "NewButton": true, "NewButtonWithIcon": true,
	"NewCheck": true, "NewHyperlink": true, "NewCard": true, "NewRichTextWithText": true,
	"NewRichTextFromMarkdown": true, "NewFormItem": true, "NewTabItem": true, "NewTabItemWithIcon": true,
	"SetText": true, "SetPlaceHolder": true, "SetTitle": true, "SetSubTitle": true,
	"NewError": true, "NewInformation": true, "ShowInformation": true, "NewConfirm": true,
	"ShowConfirm": true, "NewCustom": true, "NewCustomConfirm": true, "NewCustomWithoutButtons": true,
	"NewWindow": true, "SendNotification": true, "NewNotification": true,
	"heading": true, "wrapped": true, "confirm": true, "setText": true, "setError": true, "newCheck": true, "shown": true,
}

// shownFields are struct fields holding text a person reads.
var shownFields = map[string]bool{
	"Text": true, "PlaceHolder": true, "Title": true, "Subtitle": true, "Label": true,
	"Message": true, "ConfirmText": true, "DismissText": true,
}

// allowedLiterals are the few literal texts on screen that are not
// translated, each with the reason.
var allowedLiterals = map[string]string{
	"Fieldbook": "the app's name is the same in every language",
	"https://":  "the start of a web address, the same in every language",
}

// TestNoUntranslatedTextOnScreen parses the package's screens and fails on
// any string literal with letters passed to a widget, a setter or a dialog,
// or set as a widget's Text, PlaceHolder or Title: every text a person
// reads must come from the localizer.
func TestNoUntranslatedTextOnScreen(t *testing.T) {
	if hasLetter("%s: %d · %.1f") || !hasLetter("%d items") {
		t.Fatal("format verbs are not told from words")
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		report := func(e ast.Expr, where string) {
			for _, lit := range literalsIn(e) {
				s, err := strconv.Unquote(lit.Value)
				if err != nil || !hasLetter(s) {
					continue
				}
				if _, ok := allowedLiterals[s]; ok {
					continue
				}
				t.Errorf("%s: %q is shown by %s without the localizer", fset.Position(lit.Pos()), s, where)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if name := calledName(n.Fun); shownCalls[name] {
					for _, a := range n.Args {
						report(a, name)
					}
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && shownFields[id.Name] {
					report(n.Value, id.Name+":")
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && shownFields[sel.Sel.Name] && i < len(n.Rhs) {
						report(n.Rhs[i], "."+sel.Sel.Name+" =")
					}
				}
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("only %d files checked", checked)
	}
}

// calledName is the function or method name of a call's Fun.
func calledName(e ast.Expr) string {
	switch f := e.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.IndexExpr:
		return calledName(f.X)
	}
	return ""
}

// literalsIn returns the string literals that end up in e's value: e
// itself, or the parts of a concatenation. Arguments of calls inside e
// (such as l.T("id")) are message ids, not text, and are not returned;
// neither are format strings of fmt calls, which are checked as a whole.
func literalsIn(e ast.Expr) []*ast.BasicLit {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind == token.STRING {
			return []*ast.BasicLit{v}
		}
	case *ast.BinaryExpr:
		if v.Op == token.ADD {
			return append(literalsIn(v.X), literalsIn(v.Y)...)
		}
	case *ast.ParenExpr:
		return literalsIn(v.X)
	case *ast.CallExpr:
		if sel, ok := v.Fun.(*ast.SelectorExpr); ok {
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "fmt" && len(v.Args) > 0 {
				return literalsIn(v.Args[0])
			}
		}
	}
	return nil
}

// formatVerb matches fmt verbs such as %s, %d, %.1f: not words.
var formatVerb = regexp.MustCompile(`%[-+# 0-9.*\[\]]*[a-zA-Z]`)

// hasLetter reports whether s has a letter outside format verbs.
func hasLetter(s string) bool {
	for _, r := range formatVerb.ReplaceAllString(s, "") {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
