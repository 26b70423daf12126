import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list


def test_env_bool_reads_usual_spellings(monkeypatch):
    """Booleans accept 1/0, true/false, yes/no, on/off and the default when unset."""
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", True) is True


def test_env_bool_refuses_garbage(monkeypatch):
    """A value that is not a boolean fails loudly, naming the variable."""
    monkeypatch.setenv("FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")


def test_env_int_refuses_garbage(monkeypatch):
    """An integer variable with letters in it fails loudly."""
    monkeypatch.setenv("COUNT", "12a")
    with pytest.raises(ImproperlyConfigured, match="COUNT"):
        env_int("COUNT", 1)
    monkeypatch.setenv("COUNT", "12")
    assert env_int("COUNT", 1) == 12


def test_env_list_and_choice(monkeypatch):
    """Lists are comma-separated; choices refuse values outside the list."""
    monkeypatch.setenv("HOSTS", "a.test, b.test,,")
    assert env_list("HOSTS") == ["a.test", "b.test"]
    monkeypatch.setenv("MODE", "x")
    with pytest.raises(ImproperlyConfigured):
        env_choice("MODE", ("a", "b"), "a")
