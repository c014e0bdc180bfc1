"""The public names of `xlsegment` resolve, lazily, to what their modules define."""

from __future__ import annotations

import importlib

import pytest

import xlsegment


@pytest.mark.parametrize("name", sorted(xlsegment._EXPORTS))
def test_every_public_name_resolves(name):
    value = getattr(xlsegment, name)
    module = importlib.import_module(xlsegment._EXPORTS[name])
    assert value is getattr(module, name)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        xlsegment.nope  # noqa: B018


def test_dir_lists_the_public_names():
    assert "read_transactions" in dir(xlsegment) and "analyze" in dir(xlsegment)
