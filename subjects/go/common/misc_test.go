package common

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestAddr(t *testing.T) {
	t.Setenv("PORT", "")
	if got := Addr(); got != "127.0.0.1:8080" {
		t.Errorf("default Addr() = %q", got)
	}
	t.Setenv("PORT", "18123")
	if got := Addr(); got != "127.0.0.1:18123" {
		t.Errorf("Addr() = %q", got)
	}
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if len(id) != 36 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func TestMetrics(t *testing.T) {
	before := testCounter(t)
	CountRequest("/ping")
	CountRequest("/users/1")
	CountRequest("/metrics")
	CountRequest("/debug/pprof/")
	CountRequest("/debug/pprof/heap")
	if got := testCounter(t) - before; got != 2 {
		t.Fatalf("counter rose by %v, want 2", got)
	}

	rec := httptest.NewRecorder()
	MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", rec.Header().Get("Content-Type"))
	}
	for _, name := range []string{
		"http_requests_total", "process_cpu_seconds_total", "process_resident_memory_bytes",
		"process_open_fds", "go_goroutines", "go_memstats_alloc_bytes_total", "go_gc_duration_seconds",
	} {
		if !strings.Contains(body, "\n"+name) {
			t.Errorf("exposition lacks %s", name)
		}
	}
}

func testCounter(t *testing.T) float64 {
	t.Helper()
	mfs, err := Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "http_requests_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("no http_requests_total")
	return 0
}

func TestServeWebSocket(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(ServeWebSocket))
	defer srv.Close()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	big := []byte(strings.Repeat("z", MaxMessageBytes))
	for _, m := range []struct {
		typ  int
		data []byte
	}{{websocket.TextMessage, []byte("hello")}, {websocket.BinaryMessage, []byte{0, 1, 2, 255}}, {websocket.BinaryMessage, big}} {
		if err := conn.WriteMessage(m.typ, m.data); err != nil {
			t.Fatal(err)
		}
		typ, data, err := conn.ReadMessage()
		if err != nil || typ != m.typ || string(data) != string(m.data) {
			t.Fatalf("echo: type %d len %d err %v", typ, len(data), err)
		}
	}
	if err := conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye")); err != nil {
		t.Fatal(err)
	}
	_, _, err = conn.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Fatalf("after close: %v, want the close frame echoed", err)
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	ln := httptest.NewUnstartedServer(nil).Listener
	release := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "done")
	})}
	result := make(chan error, 1)
	go func() {
		result <- Serve(func() error { return srv.Serve(ln) }, srv.Shutdown)
	}()
	resp := make(chan string, 1)
	go func() {
		r, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			resp <- err.Error()
			return
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		resp <- string(b)
	}()
	time.Sleep(200 * time.Millisecond) // let the request reach the handler
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	close(release)
	if got := <-resp; got != "done" {
		t.Fatalf("in-flight request got %q", got)
	}
	select {
	case err := <-result:
		if err != nil {
			t.Fatalf("Serve = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
}

func TestServeStartError(t *testing.T) {
	want := errors.New("listen: address in use")
	err := Serve(func() error { return want }, func(context.Context) error { return nil })
	if !errors.Is(err, want) {
		t.Fatalf("Serve = %v, want %v", err, want)
	}
}
