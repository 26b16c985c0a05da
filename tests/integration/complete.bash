#!/usr/bin/env bash
# complete.bash COMPLETION_FILE plain|framework LINE
# Prints what inject's bash completion offers for LINE (the cursor at its end), one
# candidate a line, as readline would get them. "framework" loads bash-completion first,
# "plain" completes without it.
#
# readline splits the line into COMP_WORDS at blanks and at COMP_WORDBREAKS's ':' and '='
# (a run of them is a word of its own); that is done here the same way.
set -u
file=$1 mode=$2 COMP_LINE=$3

if [[ $mode == framework ]]; then
    framework=/usr/share/bash-completion/bash_completion
    # shellcheck source=/dev/null
    source "$framework" || exit
fi
# shellcheck source=/dev/null
source "$file"

COMP_POINT=${#COMP_LINE}
COMP_WORDS=()
word=''
for ((i = 0; i < ${#COMP_LINE}; i++)); do
    c=${COMP_LINE:i:1}
    case $c in
        [[:blank:]])
            [[ -n $word ]] && COMP_WORDS+=("$word")
            word=''
            ;;
        [:=])
            [[ -n $word && $word != [:=]* ]] && { COMP_WORDS+=("$word"); word=''; }
            word+=$c
            ;;
        *)
            [[ $word == [:=]* ]] && { COMP_WORDS+=("$word"); word=''; }
            word+=$c
            ;;
    esac
done
COMP_WORDS+=("$word")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
# compopt only works inside a real completion; its complaint is not the completion's.
compopt() { :; }
_inject
if ((${#COMPREPLY[@]} > 0)); then
    printf '%s\n' "${COMPREPLY[@]}"
fi
