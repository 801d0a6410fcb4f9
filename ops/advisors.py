"""Advisor accounts for the console: `make advisor EMAIL=… NAME="…" [ROLE=manager]` (asks for the password).

    python -m ops.advisors add conseil@cci-exemple.fr "Équipe numérique"   # asks the password twice
    python -m ops.advisors add … --role manager                           # also sees the dashboard
    python -m ops.advisors add … --password-stdin < secret.txt            # for scripts
    python -m ops.advisors role conseil@cci-exemple.fr manager            # changes the role only
    python -m ops.advisors disable conseil@cci-exemple.fr

An account is an advisor (the tickets) or a manager (the tickets and the deployer's dashboard).

A new password and a deactivation end the account's sessions at once: the console's API
refuses them, and its open live connections are closed within a few seconds.
"""

import argparse
import getpass
import sys

from bot.adapters import advisors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.advisors", description="Comptes des conseillers (console)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser(
        "add",
        help="crée un compte, ou change le nom et le mot de passe d'un compte existant "
        "(ce qui ferme ses sessions ouvertes)",
    )
    add.add_argument("email")
    add.add_argument("name", help="nom affiché au client, par exemple « Conseillère CCI » ou un prénom")
    add.add_argument("--password-stdin", action="store_true", help="lit le mot de passe sur l'entrée standard")
    add.add_argument(
        "--role",
        choices=advisors.ROLES,
        help="advisor : les demandes ; manager : les demandes et le tableau de bord "
        "(par défaut : advisor pour un nouveau compte, inchangé pour un compte existant)",
    )
    role = commands.add_parser("role", help="change le rôle d'un compte (advisor ou manager)")
    role.add_argument("email")
    role.add_argument("role", choices=advisors.ROLES)
    disable = commands.add_parser("disable", help="désactive un compte et ferme ses sessions")
    disable.add_argument("email")
    args = parser.parse_args(argv)

    if args.command == "disable":
        if advisors.advisor_repository().deactivate_account(args.email):
            print(f"Compte {args.email} désactivé.")
            return 0
        print(f"Aucun compte {args.email}.", file=sys.stderr)
        return 1

    if args.command == "role":
        if advisors.advisor_repository().set_role(args.email, args.role):
            print(f"Compte {args.email} : rôle {args.role}.")
            return 0
        print(f"Aucun compte {args.email}.", file=sys.stderr)
        return 1

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Encore une fois : ") != password:
            print("Les deux mots de passe sont différents.", file=sys.stderr)
            return 1
    try:
        advisor = advisors.advisor_repository().create_account(args.email, args.name, password, role=args.role)
    except advisors.AccountError as refusal:
        print(refusal, file=sys.stderr)
        return 1
    print(
        f"Compte prêt : {advisor.email} ({advisor.name}, rôle {advisor.role}). Connexion sur /console/ du serveur "
        "(les sessions ouvertes avec l'ancien mot de passe sont fermées)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
