# MAPPA Coordinator. The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

DATABASE ?= data/mappa.sqlite
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test build deps deb clean

## Install what is missing, build, create the database with demo data, and serve http://127.0.0.1:8080
run: build
	@mkdir -p data
	@# The demo's audit chain is keyed: a secret key file beside the database (0600), made once.
	@test -e "$(DATABASE).audit-key" || .build/release/mappa audit key --database "$(DATABASE)"
	@.build/release/mappa demo --database "$(DATABASE)"
	@echo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the demo sign-ins above"
	@echo "(demo.coordinator for the coordinator's view, demo.admin to manage users)."
	@echo
	.build/release/mappa serve --host "$(HOST)" --port "$(PORT)" --database "$(DATABASE)"

## Install what is missing (tests included), build, and run every test
test:
	scripts/test.sh

## Build the Debian package dist/mappa_<version>_amd64.deb (version: the VERSION file); see README, "Install as a service"
deb:
	@scripts/install-deps.sh --deb
	scripts/build-deb.sh

build: deps
	swift build -c release --product mappa

deps:
	@scripts/install-deps.sh

clean:
	rm -rf .build data/*.sqlite* test-artifacts dist
