#!/usr/bin/env bash
echo "run-java: not yet"
