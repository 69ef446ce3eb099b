// node-images: the one static program behind the test node's own images.
//
//	pause            the sandbox (pause) image: waits for SIGTERM/SIGINT, reaps children
//	serve ADDR TEXT  an HTTP server answering TEXT on every path (logs each request to stdout)
//	get URL...       GETs each URL, prints "URL STATUS BODY" lines, exits 1 if one failed
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: node-images pause | serve ADDR TEXT | get URL...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "pause":
		pause()
	case "serve":
		serve(os.Args[2], os.Args[3])
	case "get":
		os.Exit(get(os.Args[2:]))
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func pause() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var ws syscall.WaitStatus
			if pid, _ := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 {
				break
			}
		}
	}
}

func serve(addr, text string) {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Printf("%s %s %s\n", r.RemoteAddr, r.Method, r.URL.Path)
		io.WriteString(w, text)
	})
	fmt.Printf("listening on %s\n", addr)
	go func() {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
		<-sigs
		os.Exit(0)
	}()
	if err := http.ListenAndServe(addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func get(urls []string) int {
	client := &http.Client{Timeout: 10 * time.Second}
	rc := 0
	for _, u := range urls {
		resp, err := client.Get(u)
		if err != nil {
			fmt.Printf("%s ERROR %v\n", u, err)
			rc = 1
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		fmt.Printf("%s %d %s\n", u, resp.StatusCode, body)
		if resp.StatusCode != 200 {
			rc = 1
		}
	}
	return rc
}
