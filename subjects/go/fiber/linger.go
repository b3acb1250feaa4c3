package main

import (
	"io"
	"net"
	"sync"
	"time"
)

// fasthttp answers a request whose Content-Length exceeds BodyLimit and then
// closes the connection at once, with the unread body still arriving. The
// kernel then resets the connection, and a client still sending the body
// often loses the 413 (valyala/fasthttp#1348, gofiber/fiber#1940). Closing
// the way net/http does avoids it: send FIN, read and discard what the
// client still sends for a short while, then close.

const (
	lingerTimeout = time.Second
	lingerMax     = 4 << 20
)

type lingerListener struct {
	net.Listener
}

func (l lingerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil
	}
	return &lingerConn{TCPConn: tc}, nil
}

type lingerConn struct {
	*net.TCPConn
	once sync.Once
}

// Close returns at once; the drain runs in the background so neither a
// worker nor the shutdown of idle connections waits for it.
func (c *lingerConn) Close() error {
	c.once.Do(func() { go c.linger() })
	return nil
}

func (c *lingerConn) linger() {
	if c.CloseWrite() == nil && c.SetReadDeadline(time.Now().Add(lingerTimeout)) == nil {
		_, _ = io.CopyN(io.Discard, c.TCPConn, lingerMax)
	}
	_ = c.TCPConn.Close()
}
