package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "bash: source <(kubox completion bash) in ~/.bashrc\n" +
			"zsh:  source <(kubox completion zsh) in ~/.zshrc, after compinit\n" +
			"fish: kubox completion fish > ~/.config/fish/completions/kubox.fish",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return errors.New("name one shell: kubox completion bash, kubox completion zsh or kubox completion fish")
			}
			var script string
			switch shell := c.Args().First(); shell {
			case "bash":
				script = bashCompletion
			case "zsh":
				script = zshCompletion
			case "fish":
				var err error
				if script, err = c.App.ToFishCompletion(); err != nil {
					return fmt.Errorf("writing the fish completion: %w", err)
				}
			default:
				return fmt.Errorf("unknown shell %q: kubox completes bash, zsh and fish", shell)
			}
			_, err := io.WriteString(c.App.Writer, script)
			return err
		},
	}
}

// The bash and zsh scripts ask kubox itself what may come next: urfave/cli
// answers `kubox WORDS... --generate-bash-completion` with the commands, or
// with the flags when the last word starts with '-', so the scripts never
// fall out of step with the commands. After a "--" the words belong to the
// program `kubox ci run` starts: the scripts do not ask kubox then, since
// urfave/cli would run the command instead of completing it.

const bashCompletion = `# bash completion for kubox: source <(kubox completion bash)
_kubox() {
    local cur=${COMP_WORDS[COMP_CWORD]} word
    local -a args=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
    COMPREPLY=()
    for word in "${args[@]}"; do
        [[ $word == -- ]] && return 0
    done
    case $cur in
        --) args+=(-) ;;      # a bare -- would end kubox's flags; - asks for all of them
        -*) args+=("$cur") ;;
    esac
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "${args[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o bashdefault -o default -F _kubox kubox
`

const zshCompletion = `#compdef kubox
# zsh completion for kubox: source <(kubox completion zsh) after compinit,
# or save it as _kubox in a directory of $fpath.
_kubox() {
  local cur=${words[CURRENT]}
  local -a args candidates
  args=("${(@)words[2,CURRENT-1]}")
  if (( ${args[(Ie)--]} )); then
    _files
    return
  fi
  case $cur in
    --) args+=(-) ;;
    -*) args+=("$cur") ;;
  esac
  candidates=("${(@f)$("${words[1]}" "${(@)args}" --generate-bash-completion 2>/dev/null)}")
  candidates=(${candidates:#})
  if (( ${#candidates} )); then
    compadd -a candidates
  else
    _files
  fi
}
if [[ ${funcstack[1]} == _kubox ]]; then
  _kubox "$@"
else
  compdef _kubox kubox
fi
`
