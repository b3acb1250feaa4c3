package common

import (
	"encoding/json"
	"reflect"
	"testing"
)

type rpcResp struct {
	JSONRPC string           `json:"jsonrpc"`
	Result  json.RawMessage  `json:"result"`
	Error   *rpcErr          `json:"error"`
	ID      *json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the id member raw: a *json.RawMessage field would come
// back nil for "id": null, hiding whether the member is present.
func (r *rpcResp) UnmarshalJSON(b []byte) error {
	type plain rpcResp
	if err := json.Unmarshal(b, (*plain)(r)); err != nil {
		return err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return err
	}
	if id, ok := members["id"]; ok {
		r.ID = &id
	}
	return nil
}

type rpcErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func decodeOne(t *testing.T, out []byte) rpcResp {
	t.Helper()
	var r rpcResp
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("response %q is not a JSON object: %v", out, err)
	}
	if r.JSONRPC != "2.0" {
		t.Fatalf("response %q: jsonrpc is %q", out, r.JSONRPC)
	}
	if r.ID == nil {
		t.Fatalf("response %q has no id member", out)
	}
	return r
}

func TestHandleRPCSingle(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		result string // compared as JSON values; "" when an error is expected
		code   int
		id     string
	}{
		{"add array", `{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}`, `3`, 0, `1`},
		{"add object", `{"jsonrpc":"2.0","method":"add","params":{"a":1.5,"b":2},"id":"x"}`, `3.5`, 0, `"x"`},
		{"add negative float", `{"jsonrpc":"2.0","method":"add","params":[-1e2,0.25],"id":2}`, `-99.75`, 0, `2`},
		{"add int overflow falls back to float", `{"jsonrpc":"2.0","method":"add","params":[9223372036854775807,1],"id":2}`, `9223372036854775808`, 0, `2`},
		{"add id null", `{"jsonrpc":"2.0","method":"add","params":[1,2],"id":null}`, `3`, 0, `null`},
		{"echo array", `{"jsonrpc":"2.0","method":"echo","params":[1,"a",{"b":null}],"id":3}`, `[1,"a",{"b":null}]`, 0, `3`},
		{"echo object", `{"jsonrpc":"2.0","method":"echo","params":{"k":[true]},"id":3}`, `{"k":[true]}`, 0, `3`},
		{"echo no params", `{"jsonrpc":"2.0","method":"echo","id":4}`, `null`, 0, `4`},
		{"unknown method", `{"jsonrpc":"2.0","method":"nope","id":5}`, "", -32601, `5`},
		{"add strings", `{"jsonrpc":"2.0","method":"add","params":["1",2],"id":6}`, "", -32602, `6`},
		{"add one param", `{"jsonrpc":"2.0","method":"add","params":[1],"id":6}`, "", -32602, `6`},
		{"add three params", `{"jsonrpc":"2.0","method":"add","params":[1,2,3],"id":6}`, "", -32602, `6`},
		{"add missing b", `{"jsonrpc":"2.0","method":"add","params":{"a":1},"id":6}`, "", -32602, `6`},
		{"add wrong keys", `{"jsonrpc":"2.0","method":"add","params":{"a":1,"c":2},"id":6}`, "", -32602, `6`},
		{"add null", `{"jsonrpc":"2.0","method":"add","params":[null,1],"id":6}`, "", -32602, `6`},
		{"add no params", `{"jsonrpc":"2.0","method":"add","id":6}`, "", -32602, `6`},
		{"add overflow to inf", `{"jsonrpc":"2.0","method":"add","params":[1e308,1e308],"id":6}`, "", -32602, `6`},
		{"parse error", `{"jsonrpc":"2.0","method":"add",`, "", -32700, `null`},
		{"parse error garbage", `nope`, "", -32700, `null`},
		{"empty body", ``, "", -32700, `null`},
		{"parse error batch", `[{"jsonrpc":"2.0","method":"add"},`, "", -32700, `null`},
		{"not an object", `1`, "", -32600, `null`},
		{"string", `"x"`, "", -32600, `null`},
		{"null", `null`, "", -32600, `null`},
		{"wrong version", `{"jsonrpc":"1.0","method":"echo","id":7}`, "", -32600, `7`},
		{"version as number", `{"jsonrpc":2.0,"method":"echo","id":7}`, "", -32600, `7`},
		{"missing version", `{"method":"echo","id":7}`, "", -32600, `7`},
		{"version key case", `{"JSONRPC":"2.0","method":"echo","id":7}`, "", -32600, `7`},
		{"method not string", `{"jsonrpc":"2.0","method":1,"id":8}`, "", -32600, `8`},
		{"method missing", `{"jsonrpc":"2.0","id":8}`, "", -32600, `8`},
		{"params scalar", `{"jsonrpc":"2.0","method":"echo","params":"bar","id":9}`, "", -32600, `9`},
		{"params null", `{"jsonrpc":"2.0","method":"echo","params":null,"id":9}`, "", -32600, `9`},
		{"id object", `{"jsonrpc":"2.0","method":"echo","id":{"a":1}}`, "", -32600, `null`},
		{"id array", `{"jsonrpc":"2.0","method":"echo","id":[1]}`, "", -32600, `null`},
		{"id bool", `{"jsonrpc":"2.0","method":"echo","id":true}`, "", -32600, `null`},
		{"invalid without id still answered", `{"jsonrpc":"2.0","method":1,"params":"bar"}`, "", -32600, `null`},
		{"empty batch", `[]`, "", -32600, `null`},
		{"empty batch with space", " [ ] ", "", -32600, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := HandleRPC([]byte(tt.body))
			if out == nil {
				t.Fatalf("no response")
			}
			r := decodeOne(t, out)
			assertJSONEqual(t, "id", string(*r.ID), tt.id)
			if tt.code != 0 {
				if r.Error == nil || r.Error.Code != tt.code || r.Error.Message == "" {
					t.Fatalf("got %s, want error code %d", out, tt.code)
				}
				if r.Result != nil {
					t.Fatalf("error response %s also has a result", out)
				}
				return
			}
			if r.Error != nil {
				t.Fatalf("got %s, want result %s", out, tt.result)
			}
			assertJSONEqual(t, "result", string(r.Result), tt.result)
		})
	}
}

func assertJSONEqual(t *testing.T, what, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s %q is not JSON: %v", what, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s = %s, want %s", what, got, want)
	}
}

func TestHandleRPCNotifications(t *testing.T) {
	for _, body := range []string{
		`{"jsonrpc":"2.0","method":"add","params":[1,2]}`,
		`{"jsonrpc":"2.0","method":"echo"}`,
		`{"jsonrpc":"2.0","method":"unknown"}`,
		`{"jsonrpc":"2.0","method":"add","params":["x"]}`,
		`[{"jsonrpc":"2.0","method":"add","params":[1,2]},{"jsonrpc":"2.0","method":"nope"}]`,
	} {
		if out := HandleRPC([]byte(body)); out != nil {
			t.Errorf("HandleRPC(%s) = %s, want nil (204)", body, out)
		}
	}
}

func TestHandleRPCBatch(t *testing.T) {
	body := `[
		{"jsonrpc":"2.0","method":"add","params":[1,2],"id":"1"},
		{"jsonrpc":"2.0","method":"echo","params":{"x":1}},
		{"jsonrpc":"2.0","method":"echo","params":["hi"],"id":2},
		{"foo":"boo"},
		{"jsonrpc":"2.0","method":"nope","id":"5"},
		1,
		{"jsonrpc":"2.0","method":"add","params":{"a":1},"id":6}
	]`
	out := HandleRPC([]byte(body))
	var arr []json.RawMessage
	if err := json.Unmarshal(out, &arr); err != nil {
		t.Fatalf("batch response %q is not an array: %v", out, err)
	}
	if len(arr) != 6 {
		t.Fatalf("got %d responses, want 6: %s", len(arr), out)
	}
	byID := map[string]rpcResp{}
	var nullIDs []rpcResp
	for _, raw := range arr {
		r := decodeOne(t, raw)
		if string(*r.ID) == "null" {
			nullIDs = append(nullIDs, r)
			continue
		}
		byID[string(*r.ID)] = r
	}
	assertJSONEqual(t, "result 1", string(byID[`"1"`].Result), `3`)
	assertJSONEqual(t, "result 2", string(byID[`2`].Result), `["hi"]`)
	if e := byID[`"5"`].Error; e == nil || e.Code != -32601 {
		t.Errorf("id 5: %+v, want -32601", byID[`"5"`])
	}
	if e := byID[`6`].Error; e == nil || e.Code != -32602 {
		t.Errorf("id 6: %+v, want -32602", byID[`6`])
	}
	if len(nullIDs) != 2 {
		t.Fatalf("got %d null-id responses, want 2", len(nullIDs))
	}
	for _, r := range nullIDs {
		if r.Error == nil || r.Error.Code != -32600 {
			t.Errorf("invalid member answered %+v, want -32600", r)
		}
	}
}

func TestHandleRPCInvalidBatchMembers(t *testing.T) {
	out := HandleRPC([]byte(`[1,2,3]`))
	var arr []rpcResp
	if err := json.Unmarshal(out, &arr); err != nil || len(arr) != 3 {
		t.Fatalf("got %s, want an array of 3 errors", out)
	}
	for _, r := range arr {
		if r.Error == nil || r.Error.Code != -32600 || r.ID == nil || string(*r.ID) != "null" {
			t.Errorf("got %+v, want -32600 with id null", r)
		}
	}
}

func BenchmarkHandleRPC(b *testing.B) {
	body := []byte(`{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}`)
	for b.Loop() {
		HandleRPC(body)
	}
}
