# kubox: build, test, end-to-end test, benchmark.
GO      ?= go
BIN     ?= bin/kubox
E2E_TIMEOUT ?= 60m

.PHONY: build test e2e bench lint clean

# Static (CGO_ENABLED=0): the binary is also the model server in the pod's minimal image.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/kubox

# Unit and in-process tests: fast, no Docker.
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Real Docker + kind + registry (+ Helm): see README "Testing".
e2e:
	$(GO) test -count=1 -tags e2e -timeout $(E2E_TIMEOUT) -v ./test/e2e/...

# Numbers, printed, never asserted: in-process first, then on a real cluster.
bench:
	$(GO) test -count=1 -run '^$$' -bench . -benchmem ./runtime/ ./build/
	$(GO) test -count=1 -tags e2e -run '^$$' -bench . -benchtime 1x -timeout $(E2E_TIMEOUT) ./test/e2e/...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

clean:
	rm -rf bin
