"""``python -m franceconnect_demo --port 8001 --site http://127.0.0.1:8000``: the demo provider in the
foreground until interrupted, offering the fictitious identities, with the demo client registered for
the site's redirect URIs. Exits with status 1 at once when the port is taken."""

from __future__ import annotations

import argparse
import errno
import sys

from franceconnect_demo.server import DEMO_CLIENT_ID, OIDCProvider, demo_client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m franceconnect_demo",
        description="FranceConnect de démonstration : fournisseur d'identité local aux identités fictives.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port d'écoute (défaut : 8001 ; 0 : un port libre)")
    parser.add_argument(
        "--site",
        default="http://127.0.0.1:8000",
        help="adresse du site client, pour ses adresses de retour (défaut : http://127.0.0.1:8000)",
    )
    args = parser.parse_args(argv)
    try:
        provider = OIDCProvider(args.host, args.port, choose_identity=True)
    except OSError as error:
        reason = "port déjà utilisé" if error.errno == errno.EADDRINUSE else error.strerror
        print(
            f"FranceConnect de démonstration : impossible d'écouter sur {args.host}:{args.port} ({reason}).",
            file=sys.stderr,
            flush=True,
        )
        return 1
    provider.register_client(demo_client(args.site))
    print(
        f"FranceConnect de démonstration : {provider.base_url}/ (émetteur {provider.issuer}, "
        f"client « {DEMO_CLIENT_ID} » pour {args.site.rstrip('/')}) — Ctrl+C pour arrêter",
        flush=True,
    )
    try:
        provider.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
