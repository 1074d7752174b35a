#!/bin/sh
# strata-driver(7) and the loader agree on which driver members are
# required: the man page's list is the required[] table of core/drv.c,
# plus abi_version and struct_size, which the loader's ABI check reads
# before that table.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
MAN=$STRATA_SRCDIR/docs/strata-driver.7
DRV=$STRATA_SRCDIR/core/drv.c

# ".BR name ," and ".B table_exists" lines, from "The required members are"
# to "Every other member".
sed -n '/^The required members are/,/^Every other member/p' "$MAN" |
	sed -n 's/^\.BR\{0,1\} \([a-z_][a-z_0-9]*\).*/\1/p' | sort >doc.txt
# REQ(member, is_op) entries of required[], up to the closing brace.
sed -n '/ required\[\] = {/,/^};/p' "$DRV" |
	grep -o 'REQ([a-z_][a-z_0-9]*' | sed 's/^REQ(//' | sort >table.txt

[ "$(wc -l <doc.txt)" -gt 2 ] && [ "$(wc -l <table.txt)" -gt 0 ]
ok $? "both lists found ($(wc -l <doc.txt) in the man page, $(wc -l <table.txt) in required[])"
grep -qx abi_version doc.txt && grep -qx struct_size doc.txt
ok $? "the man page lists abi_version and struct_size"
grep -vx -e abi_version -e struct_size doc.txt >doc_rest.txt
diff -u doc_rest.txt table.txt >diff.txt
ok $? "the man page's required members are the loader's required[]"
sed 's/^/#   /' diff.txt
done_testing
