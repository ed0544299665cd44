#!/usr/bin/env bash
echo "run-python: not yet"
