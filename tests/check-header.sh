#!/usr/bin/env bash
echo "check-header: not yet"
