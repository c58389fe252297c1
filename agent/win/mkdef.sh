#!/bin/sh
# Prints the .def file of one DLL for one arch from imports.txt on standard
# input (lines "dll function argument-bytes"); x86 names get their stdcall
# decoration (Name@bytes).
# usage: mkdef.sh DLL ARCH <imports.txt
set -eu
dll=$1 arch=$2
echo "; generated from agent/win/imports.txt"
echo "LIBRARY $dll.dll"
echo "EXPORTS"
awk -v dll="$dll" -v arch="$arch" '
    /^#/ || NF < 3 { next }
    $1 == dll { print (arch == "x86") ? $2 "@" $3 : $2 }
'
