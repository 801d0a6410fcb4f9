"""The Rasa server is started with its API token whatever characters the token has."""

import pytest
from rasa.__main__ import create_argument_parser

from ops.rasa_server import rasa_run_arguments


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "--two", "plain_Token-9", "a=b"])
def test_rasa_reads_the_token_given(token):
    arguments = rasa_run_arguments(["--port", "5005", "--model", "models/conseiller.tar.gz"], token)
    parsed = create_argument_parser().parse_args(arguments[1:])
    assert parsed.auth_token == token
    assert parsed.enable_api is True
    assert parsed.port == 5005
