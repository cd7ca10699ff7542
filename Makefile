# CRM Sheets — build, run and test. `make run` and `make test` are the two
# commands a new user needs on a fresh Debian/Ubuntu machine; both install
# what they need first.

GO        ?= go
BIN       ?= crmsheets
PKGS      ?= ./...
export LANG := en_US.UTF-8
export CGO_ENABLED := 1

# Debian/Ubuntu packages the cgo GUI build (GLFW, OpenGL) and the headless UI
# checks need.
APT_PKGS := gcc libgl1-mesa-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev xvfb xauth x11-utils imagemagick xdotool

# VERSION names the packages; FyneApp.toml holds it (a test keeps app.Version equal).
VERSION   ?= $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)

.PHONY: all deps build cli run test test-short bench reliability fuzz lint screenshots ui-check package deb-check wine-check clean

all: build

## deps: install the build packages when missing (Debian/Ubuntu), download Go modules.
deps:
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(APT_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing:$$missing"; \
	    SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  fi; \
	else \
	  echo "Not a Debian/Ubuntu system: install a C compiler and the X11/OpenGL development headers"; \
	  echo "(see https://docs.fyne.io/started/ ), then run make again."; \
	fi
	@$(GO) mod download

## build: the single binary (GUI and CLI).
build: deps
	$(GO) build -o $(BIN) .

## cli: the CLI-only build for servers and cron: no GUI, no cgo, a static binary (crmsheets-cli).
cli:
	CGO_ENABLED=0 $(GO) build -tags nogui -o $(BIN)-cli .

## run: build and open the app on the embedded demo org.
run: build
	./$(BIN)

## test: vet and the whole test suite with the race detector (includes the short reliability checks and fuzz seed corpora).
test: deps
	$(GO) vet $(PKGS)
	$(GO) test -race -timeout 20m $(PKGS)

## bench: every Go benchmark; regenerates docs/BENCHMARKS.md.
bench: deps
	$(GO) run ./internal/benchreport -out docs/BENCHMARKS.md

## reliability: the long crash / fault / limit / bad-input / security suite; regenerates docs/RELIABILITY.md.
reliability: deps
	CRMSHEETS_RELIABILITY=long $(GO) test -count=1 -timeout 30m -run 'Killed|Crash|Fault' ./app
	CRMSHEETS_RELIABILITY=long CRMSHEETS_RELIABILITY_REPORT=$(CURDIR)/docs/RELIABILITY.md \
	  $(GO) test -count=1 -v -timeout 60m ./internal/reliability

## fuzz: every fuzz target for a bounded time each.
fuzz: deps
	@grep -rH --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*' . | sed 's/:func /:/' | sort -u | while IFS=: read -r file fn; do \
	  pkg=./$$(dirname $${file#./}); echo "fuzz $$pkg $$fn"; \
	  $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $${FUZZTIME:-30s} $$pkg || exit 1; \
	done

## lint: formatting, vet, staticcheck.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

## screenshots: run the real app under Xvfb on the demo org and save PNGs to docs/screenshots/.
screenshots: build
	./scripts/screenshots.sh ./$(BIN) docs/screenshots

## ui-check: drive the real window under Xvfb with xdotool (click, type, Enter, Tab, double-click, F2, Escape, Shift+arrows, Delete, Ctrl+Z) at 1280x800 and 1024x640, check the store afterwards; screenshots in ui-check/.
ui-check: build
	./scripts/uicheck.sh ./$(BIN) ui-check

## package: what a person downloads, into dist/: Linux tar.xz and .deb, Windows zip, CLI-only binaries, SHA256SUMS.
package: deps
	./scripts/package.sh $(VERSION)

## deb-check: install dist's .deb with apt-get on a fresh minimal Debian 12 (debootstrap chroot, as root) and run crmsheets there.
deb-check:
	./scripts/deb-check.sh $(VERSION)

## wine-check: the Windows build under Wine (installs wine64 + mingw when missing): --help, login to a demo org, new sheet, pull.
wine-check:
	./scripts/wine-check.sh $(VERSION)

clean:
	rm -rf $(BIN) $(BIN)-cli dist build
