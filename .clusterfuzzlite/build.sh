#!/bin/bash -eu
# ClusterFuzzLite runs $SRC/build.sh; this is the OSS-Fuzz one.
exec "$SRC/zmtp/fuzz/oss-fuzz/build.sh"
