#!/usr/bin/env bash
echo "run-go: not yet"
