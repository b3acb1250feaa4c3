package common

import (
	"errors"
	"net/http"

	"github.com/gorilla/websocket"
)

// MaxMessageBytes is the largest WebSocket message payload the contract
// requires to be echoed.
const MaxMessageBytes = 1 << 20

// MessageConn is the part of a WebSocket connection EchoMessages needs; both
// *github.com/gorilla/websocket.Conn and *github.com/fasthttp/websocket.Conn
// satisfy it.
type MessageConn interface {
	ReadMessage() (messageType int, p []byte, err error)
	WriteMessage(messageType int, data []byte) error
	SetReadLimit(limit int64)
}

// EchoMessages echoes every message back with its own type until the peer
// closes or the connection fails. The libraries' default close handler
// answers the peer's close frame, which completes the close handshake; for a
// gorilla connection that ending is reported as nil, anything else (including
// a fasthttp/websocket close error) is returned as is.
func EchoMessages(c MessageConn) error {
	// The limit applies to the payload; the slack keeps a message of exactly
	// MaxMessageBytes clear of any off-by-one in how a library counts.
	c.SetReadLimit(MaxMessageBytes + 1024)
	for {
		typ, msg, err := c.ReadMessage()
		if err != nil {
			var closeErr *websocket.CloseError
			if errors.As(err, &closeErr) {
				return nil
			}
			return err
		}
		if err := c.WriteMessage(typ, msg); err != nil {
			return err
		}
	}
}

// Upgrader is the gorilla upgrader for net/http based subjects.
var Upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	// The benchmark client is not a browser; there is no origin to protect.
	CheckOrigin: func(*http.Request) bool { return true },
}

// ServeWebSocket upgrades the request and echoes messages until the peer
// closes.
func ServeWebSocket(w http.ResponseWriter, r *http.Request) {
	conn, err := Upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has already answered with an HTTP error.
	}
	defer conn.Close()
	_ = EchoMessages(conn)
}
