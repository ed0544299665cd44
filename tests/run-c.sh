#!/usr/bin/env bash
echo "run-c: not yet"
