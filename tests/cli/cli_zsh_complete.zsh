# zsh -f cli_zsh_complete.zsh FPATH_DIR LINE: prints the words zsh's
# completion system offers for LINE (sorted, one per line), by running an
# interactive zsh on a pseudo-terminal and recording compadd's matches.
zmodload zsh/zpty || exit 1
out=$(mktemp) || exit 1
zpty z zsh -f -i
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
# compadd records what it is given, then adds it as usual; -O/-A/-D only
# collect matches and are left alone.
zpty -w z "compadd() { if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd \"\$@\"; return; fi; local -a h; builtin compadd -A h \"\$@\"; (( \$#h )) && print -l -- \$h >>${(q)out}; builtin compadd \"\$@\"; }"
# TAB completes, then marks the end, so no sleep decides when it is done.
zpty -w z "t_done() { zle complete-word; print -- '<done>' >>${(q)out}; }; zle -N t_done; bindkey '^I' t_done; zstyle ':completion:*' menu no"
zpty -w z "print READY"
zpty -r z junk '*READY*'
zpty -w -n z "$2"$'\t'
for i in {1..100}; do
	grep -q '^<done>$' $out && break
	sleep 0.1
done
zpty -d z
grep -v '^<done>$' $out | sort -u
rm -f $out
