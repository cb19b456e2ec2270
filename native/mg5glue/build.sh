#!/usr/bin/env bash
# Builds the madnis-ts process library for one MadEvent subprocess folder.
#   native/mg5glue/build.sh <MG5 output>/SubProcesses/P<...> <out.so>
# Prerequisite: MG5 has compiled the folder once (a `launch` or `survey`, or `make madevent`
# in it): ../../lib/*.a (built with -fPIC by Source/make_opts), the P folder's *.o,
# symfact.dat, ../../Source/run_card.inc. See README.md.
set -euo pipefail
P=$(cd "$1" && pwd)
OUT=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
INC="$HERE/../include"
LIB="$P/../../lib"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cd "$P"
# 1. MadEvent's own objects for this folder (no-op when launch already built them).
make -s madevent >/dev/null
# Objects of madevent's makefile (PROCESS + MATRIX), without the main program (driver.o).
OBJS="myamp.o genps.o setcuts.o get_color.o $TMP/cuts.o cluster.o reweight.o initcluster.o
      addmothers.o setscales.o idenparts.o dummy_fct.o $(ls auto_dsig*.o)"
if ls matrix*_orig.f >/dev/null 2>&1; then MATRIX=$(ls matrix*_optim.o); else MATRIX=$(ls matrix*.o); fi

# 2. Replace symbols: x from the caller instead of MG5's grid; no event storage.
objcopy --weaken-symbol=sample_get_x_ "$LIB/libdsample.a" "$TMP/libdsample.a"
objcopy --weaken-symbol=unwgt_ unwgt.o "$TMP/unwgt.o"
#    passcuts clusters the scale through madnis_scale.f (one f for every channel), which
#    calls MadEvent's setclscales.
objcopy --redefine-sym setclscales_=madnis_setclscales_ cuts.o "$TMP/cuts.o"

# 3. Our glue: Fortran compiled against this folder's include files, C against the ABI.
gfortran -O2 -w -fPIC -ffixed-line-length-132 -I. -I../../Source \
  -c "$HERE/madnis_mg5.f" -o "$TMP/madnis_mg5.o"
gfortran -O2 -w -fPIC -ffixed-line-length-132 -I. -I../../Source \
  -c "$HERE/madnis_scale.f" -o "$TMP/madnis_scale.o"
gcc -O2 -fPIC -fvisibility=hidden -I"$INC" \
  -c "$HERE/mg5_process.c" -o "$TMP/mg5_process.o"

# 4. Link (madevent's order: -ldhelas -ldsample -lmodel -lgeneric -lpdf -lcernlib -lbias),
#    exporting only the ABI symbol and binding MG5's symbols inside the library.
printf '{ global: madnis_process_get_api; madnis_process_instances_share_state; local: *; };\n' > "$TMP/exports.map"
gfortran -shared -fPIC -o "$OUT" "$TMP/madnis_mg5.o" "$TMP/madnis_scale.o" "$TMP/mg5_process.o" \
  $OBJS "$TMP/unwgt.o" $MATRIX \
  "$LIB/libdhelas.a" "$TMP/libdsample.a" "$LIB/libmodel.a" "$LIB/libgeneric.a" \
  "$LIB/libpdf.a" "$LIB/libcernlib.a" "$LIB/libbias.a" \
  -lstdc++ -lpthread -Wl,--no-undefined -Wl,-Bsymbolic \
  -Wl,--version-script="$TMP/exports.map"
echo "built $OUT"
