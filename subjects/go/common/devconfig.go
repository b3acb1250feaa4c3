package common

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
)

// DevConfigFile is the optional start-up configuration file read from the working
// directory when $PODIUM_CONFIG is not set. It is the value `podium reload` changes to
// see whether a configuration change takes effect after a reload.
const DevConfigFile = "podium-config.json"

// DefaultGreeting is served by GET /config/greeting when no configuration file exists.
const DefaultGreeting = "hello"

type devConfig struct {
	Greeting string `json:"greeting"`
}

// The configuration is read once, at start-up (the first request), like a real
// service reads its settings: a change needs a restart to take effect.
var greeting = sync.OnceValue(func() string {
	path := os.Getenv("PODIUM_CONFIG")
	if path == "" {
		path = DevConfigFile
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !os.IsNotExist(err) {
			fmt.Fprintf(os.Stderr, "config: %v (using the default greeting)\n", err)
		}
		return DefaultGreeting
	}
	var cfg devConfig
	if err := json.Unmarshal(data, &cfg); err != nil || cfg.Greeting == "" {
		fmt.Fprintf(os.Stderr, "config: %s: want {\"greeting\": \"...\"} (using the default greeting)\n", path)
		return DefaultGreeting
	}
	return cfg.Greeting
})

// LoadDevConfig reads the configuration now; main calls it at start-up.
func LoadDevConfig() { greeting() }

// ServeGreeting answers GET /config/greeting with the configured greeting as text.
func ServeGreeting(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(greeting()))
}
