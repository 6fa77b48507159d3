#!/bin/sh
# tests/robust/bad_data.sh: the mlp optimizee on bad IDX data files:
# missing, a directory, truncated (header and data, plain and gzip), wrong
# magic, inconsistent dimensions, extra bytes, a zero dimension, a label out
# of range, corrupt gzip, a gzip header claiming a gigabyte. The data are
# opened when the run starts; each must exit with status 2, name the suite
# line, the option and the data file, and leave no results directory.
. "$(dirname "$0")/common.sh"

# A 2-image 2x2 set with 2 classes (IDX: big-endian magic and sizes).
images() { printf '\0\0\10\3\0\0\0\2\0\0\0\2\0\0\0\2\1\2\3\4\5\6\7\10'; }
labels() { printf '\0\0\10\1\0\0\0\2\0\1'; }
images >img
labels >lab

# data_case NAME TRAIN_IMAGES TRAIN_LABELS REGEX [TEST_IMAGES]
data_case() {
    printf '[optimizee m]\nplugin = mlp\nhidden = 3\nclasses = 2\nbatch = 2\ntrain_images = %s\ntrain_labels = %s\ntest_images = %s\ntest_labels = %s\n[optimizer sgd]\nplugin = sgd\n[experiment e]\noptimizee = m\noptimizers = sgd\nsteps = 3\nruns = 1\n' \
        "$tmp/$2" "$tmp/$3" "$tmp/${5:-img}" "$tmp/lab" >"$1.ini"
    expect "$1" 2 "^$1\\.ini:1: \\[optimizee m\\] mlp: $4" run "$1.ini" -o "out-$1" --quiet &&
        check "$1: no results directory" test ! -e "out-$1"
}

# The good set first: the cases below differ from it in one thing each.
printf '[optimizee m]\nplugin = mlp\nhidden = 3\nclasses = 2\nbatch = 2\ntrain_images = %s/img\ntrain_labels = %s/lab\ntest_images = %s/img\ntest_labels = %s/lab\n[optimizer sgd]\nplugin = sgd\n[experiment e]\noptimizee = m\noptimizers = sgd\nsteps = 3\nruns = 1\n' \
    "$tmp" "$tmp" "$tmp" "$tmp" >good.ini
expect good-set 0 "" run good.ini -o out-good --quiet
check "good-set: summary.csv written" test -s out-good/summary.csv

data_case missing none lab "train_images: $tmp/none not found"
mkdir adir
data_case directory adir lab "$tmp/adir: is a directory, expected an IDX file"
images | head -c 10 >short-head
data_case short-header short-head lab "$tmp/short-head: expected 16 bytes of IDX header, found 10"
images | head -c 20 >short-data
data_case short-data short-data lab "$tmp/short-data: expected 8 bytes of image data, found 4"
{ images; printf '\11\12'; } >long-data
data_case extra-data long-data lab "$tmp/long-data: expected 8 bytes of image data, found 10"
data_case wrong-magic lab lab "$tmp/lab: bad magic number 0x00000801 \\(a label file\\), expected 0x00000803 for image data"
printf '\0\0\10\3\0\0\0\2\0\0\0\0\0\0\0\2' >zero-dim
data_case zero-dim zero-dim lab "$tmp/zero-dim: dimension 2 of the header is 0"
printf '\0\0\10\1\0\0\0\3\0\1\1' >lab3
data_case count-mismatch img lab3 "$tmp/lab3: 3 labels for 2 images in $tmp/img; expected equal counts"
printf '\0\0\10\1\0\0\0\2\0\5' >lab5
data_case label-range img lab5 "$tmp/lab5: label 5 at index 1, expected a class in \\[0, 2\\)"
printf '\0\0\10\3\0\0\0\2\0\0\0\3\0\0\0\2\1\2\3\4\5\6\7\10\11\12\13\14' >img3x2
data_case test-shape img lab "test_images $tmp/img3x2: images of 3x2, expected 2x2 as in train_images" img3x2

# gzip: cut short, a wrong checksum, a header claiming 1 GiB in 40 bytes.
images | gzip -c -n >img.gz
head -c 25 img.gz >short.gz
data_case gzip-truncated short.gz lab "$tmp/short.gz: expected [0-9]+ bytes of (IDX header|image data), found [0-9]+ \\(truncated gzip data"
size=$(wc -c <img.gz)
{ head -c $((size - 8)) img.gz; printf '\0\0\0\0'; tail -c 4 img.gz; } >badcrc.gz
data_case gzip-checksum badcrc.gz lab "$tmp/badcrc.gz: corrupt gzip data \\(zlib: incorrect data check\\)"
printf '\0\0\10\3\20\0\0\0\0\0\0\2\0\0\0\2\1\2\3\4\5\6\7\10' | gzip -c -n >huge.gz
data_case gzip-huge-header huge.gz lab "$tmp/huge.gz: header declares more than 268435456 bytes of image data"
finish
