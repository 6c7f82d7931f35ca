#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for zmtp: builds every cargo-fuzz
# target and puts it in $OUT with its seed corpus and the dictionary.
#
# It runs in OSS-Fuzz's base-builder-rust image (cargo there is nightly and
# cargo-fuzz is installed), and in this project's CI in a plain shell with
# OSS-Fuzz's variables set ($SRC, $OUT, $CC, $CFLAGS, $LIB_FUZZING_ENGINE)
# and RUSTUP_TOOLCHAIN=nightly (.ci/run), which then checks that every
# target landed in $OUT.
#
# The build is cargo-fuzz's default (release, debug assertions on), the one
# the CI smoke runs use, so a finding reproduces with `cargo fuzz run`.

: "${SRC:?}" "${OUT:?}"
root="${ZMTP_SRC:-$SRC/zmtp}"
cd "$root/fuzz"

cargo fuzz build ${FUZZ_BUILD_FLAGS:-}

triple="$(rustc -vV | sed -n 's/^host: //p')"
built="target/$triple/release"
for target in $(cargo fuzz list); do
  cp "$built/$target" "$OUT/$target"
  cp zmtp.dict "$OUT/$target.dict"
  if compgen -G "corpus/$target/seed-*" >/dev/null; then
    # The corpus's seeds only: what a local run adds stays local.
    if command -v zip >/dev/null; then
      (cd "corpus/$target" && zip -q -j "$OUT/${target}_seed_corpus.zip" seed-*)
    else
      (cd "corpus/$target" && python3 -m zipfile -c "$OUT/${target}_seed_corpus.zip" seed-*)
    fi
  fi
done
