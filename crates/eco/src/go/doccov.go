// Command doccov counts the exported identifiers of the Go source under a folder and
// how many carry a doc comment. Podium runs it with `go run` to measure documentation
// coverage; it prints {"exported":N,"documented":M} on stdout.
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

type counts struct {
	Exported   int `json:"exported"`
	Documented int `json:"documented"`
}

func (c *counts) add(exported bool, doc *ast.CommentGroup, groupDoc *ast.CommentGroup) {
	if !exported {
		return
	}
	c.Exported++
	if doc != nil || groupDoc != nil {
		c.Documented++
	}
}

func receiverExported(fn *ast.FuncDecl) bool {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return true
	}
	t := fn.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.IsExported()
		default:
			return false
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: doccov DIR")
		os.Exit(2)
	}
	var c counts
	fset := token.NewFileSet()
	err := filepath.WalkDir(os.Args[1], func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != os.Args[1] && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return nil // a file that does not parse (build-tagged generator input) is skipped
		}
		if file.Name.Name == "main" {
			return nil
		}
		for _, decl := range file.Decls {
			switch x := decl.(type) {
			case *ast.FuncDecl:
				c.add(x.Name.IsExported() && receiverExported(x), x.Doc, nil)
			case *ast.GenDecl:
				for _, spec := range x.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						c.add(s.Name.IsExported(), s.Doc, x.Doc)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							c.add(n.IsExported(), s.Doc, x.Doc)
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(c)
}
