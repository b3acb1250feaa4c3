package common

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// JSON-RPC 2.0 error codes.
const (
	rpcParseError     = -32700
	rpcInvalidRequest = -32600
	rpcMethodNotFound = -32601
	rpcInvalidParams  = -32602
)

var nullID = json.RawMessage("null")

// HandleRPC dispatches one JSON-RPC 2.0 HTTP body (a request or a batch). It
// returns nil when nothing must be answered (a notification, or a batch of
// only notifications), which the caller sends as 204 with an empty body;
// otherwise the bytes are the application/json body of a 200.
func HandleRPC(body []byte) []byte {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var batch []json.RawMessage
		if err := json.Unmarshal(trimmed, &batch); err != nil {
			return rpcError(nil, nullID, rpcParseError, "Parse error")
		}
		if len(batch) == 0 {
			return rpcError(nil, nullID, rpcInvalidRequest, "Invalid Request")
		}
		out := make([]byte, 0, 64*len(batch))
		out = append(out, '[')
		empty := true
		for _, raw := range batch {
			start := len(out)
			if !empty {
				out = append(out, ',')
			}
			var answered bool
			out, answered = handleOne(out, raw)
			if answered {
				empty = false
			} else {
				out = out[:start]
			}
		}
		if empty {
			return nil
		}
		return append(out, ']')
	}
	out, answered := handleOne(nil, trimmed)
	if !answered {
		return nil
	}
	return out
}

// handleOne appends the response to one request object to dst and reports
// whether there is one (notifications get none).
func handleOne(dst []byte, raw []byte) ([]byte, bool) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 || raw[0] != '{' {
		if !json.Valid(raw) {
			return rpcError(dst, nullID, rpcParseError, "Parse error"), true
		}
		return rpcError(dst, nullID, rpcInvalidRequest, "Invalid Request"), true
	}
	// A map rather than a struct: encoding/json matches struct fields
	// case-insensitively, and "JSONRPC" is not "jsonrpc". json.RawMessage
	// values tell a member set to null apart from an absent one.
	var req map[string]json.RawMessage
	if err := json.Unmarshal(raw, &req); err != nil {
		return rpcError(dst, nullID, rpcParseError, "Parse error"), true
	}

	id, hasID := req["id"]
	if hasID && !validID(id) {
		return rpcError(dst, nullID, rpcInvalidRequest, "Invalid Request"), true
	}
	respID := nullID
	if hasID {
		respID = id
	}
	if !isString(req["jsonrpc"], "2.0") {
		return rpcError(dst, respID, rpcInvalidRequest, "Invalid Request"), true
	}
	var method string
	if m := req["method"]; len(m) == 0 || m[0] != '"' || json.Unmarshal(m, &method) != nil {
		return rpcError(dst, respID, rpcInvalidRequest, "Invalid Request"), true
	}
	params, hasParams := req["params"]
	if hasParams && (len(params) == 0 || (params[0] != '[' && params[0] != '{')) {
		return rpcError(dst, respID, rpcInvalidRequest, "Invalid Request"), true
	}

	var (
		result  []byte
		errCode int
		errMsg  string
	)
	switch method {
	case "add":
		result, errMsg = rpcAdd(params)
		if errMsg != "" {
			errCode = rpcInvalidParams
		}
	case "echo":
		result = params
		if !hasParams {
			result = nullID
		}
	default:
		errCode, errMsg = rpcMethodNotFound, "Method not found"
	}
	if !hasID {
		return dst, false
	}
	if errCode != 0 {
		return rpcError(dst, id, errCode, errMsg), true
	}
	dst = append(dst, `{"jsonrpc":"2.0","result":`...)
	dst = append(dst, result...)
	dst = append(dst, `,"id":`...)
	dst = append(dst, id...)
	return append(dst, '}'), true
}

func rpcError(dst []byte, id json.RawMessage, code int, msg string) []byte {
	dst = append(dst, `{"jsonrpc":"2.0","error":{"code":`...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, `,"message":`...)
	dst = strconv.AppendQuote(dst, msg) // messages are ASCII constants
	dst = append(dst, `},"id":`...)
	dst = append(dst, id...)
	return append(dst, '}')
}

// validID reports whether an id member is a string, a number or null.
func validID(id json.RawMessage) bool {
	if len(id) == 0 {
		return false
	}
	switch c := id[0]; {
	case c == '"', c == '-', c >= '0' && c <= '9':
		return true
	default:
		return string(id) == "null"
	}
}

func isString(raw json.RawMessage, want string) bool {
	if len(raw) == 0 || raw[0] != '"' {
		return false
	}
	if string(raw[1:len(raw)-1]) == want { // fast path: no escapes
		return true
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && s == want
}

// rpcAdd returns the encoded sum, or an error message for -32602.
func rpcAdd(params json.RawMessage) ([]byte, string) {
	var a, b json.RawMessage
	switch {
	case len(params) > 0 && params[0] == '[':
		var list []json.RawMessage
		if json.Unmarshal(params, &list) != nil || len(list) != 2 {
			return nil, "add expects params [a, b] or {\"a\": a, \"b\": b}"
		}
		a, b = list[0], list[1]
	case len(params) > 0 && params[0] == '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(params, &obj) != nil || len(obj) != 2 {
			return nil, "add expects params [a, b] or {\"a\": a, \"b\": b}"
		}
		a, b = obj["a"], obj["b"]
	default:
		return nil, "add expects params [a, b] or {\"a\": a, \"b\": b}"
	}
	if !isNumber(a) || !isNumber(b) {
		return nil, "add expects two numbers"
	}
	// Integers are added exactly; anything else (fractions, exponents,
	// overflow) falls back to float64, which is what JSON numbers mean to
	// most clients anyway.
	if x, err := strconv.ParseInt(string(a), 10, 64); err == nil {
		if y, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			if s := x + y; (s > x) == (y > 0) {
				return strconv.AppendInt(nil, s, 10), ""
			}
		}
	}
	x, errA := strconv.ParseFloat(string(a), 64)
	y, errB := strconv.ParseFloat(string(b), 64)
	sum := x + y
	if errA != nil || errB != nil || math.IsInf(sum, 0) || math.IsNaN(sum) {
		return nil, "add: numbers out of range"
	}
	out, err := json.Marshal(sum)
	if err != nil {
		return nil, "add: numbers out of range"
	}
	return out, ""
}

func isNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}
