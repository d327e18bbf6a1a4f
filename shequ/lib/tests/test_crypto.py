import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from shequ.lib import crypto

# Fixed keys: test ids must be the same in every test process.
OLD = "ZXhhbXBsZS1vbGQta2V5LWZvci10ZXN0cy0wMDAwMDA="
NEW = "ZXhhbXBsZS1uZXcta2V5LWZvci10ZXN0cy0wMDAwMDA="


@pytest.fixture(autouse=True)
def _one_key() -> object:
    with override_settings(FIELD_ENCRYPTION_KEYS=f"k1:{OLD}", FIELD_HASH_KEY="hash-key-1"):
        yield


def _flip_byte(token: str, index: int) -> str:
    version, key_id, payload = token.split(":", 2)
    blob = bytearray(base64.urlsafe_b64decode(payload))
    blob[index] ^= 0x01
    return f"{version}:{key_id}:{base64.urlsafe_b64encode(bytes(blob)).decode()}"


def test_round_trip() -> None:
    for plain in ("11010519491231002X", "13812345678", "", "李𠮷·阿不都"):
        assert crypto.decrypt(crypto.encrypt(plain)) == plain


def test_token_carries_version_and_key_id() -> None:
    token = crypto.encrypt("13812345678")

    assert token.startswith("v1:k1:")
    assert crypto.key_id_of(token) == "k1"
    assert crypto.current_key_id() == "k1"
    assert "13812345678" not in token


def test_same_value_seals_differently_each_time() -> None:
    assert crypto.encrypt("13812345678") != crypto.encrypt("13812345678")


@pytest.mark.parametrize("index", [0, 11, 12, -1])
def test_tampered_nonce_ciphertext_or_tag_raises(index: int) -> None:
    token = crypto.encrypt("13812345678")

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(_flip_byte(token, index))


def test_a_token_moved_to_another_key_id_raises() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=f"k2:{NEW},k1:{OLD}"):
        token = crypto.encrypt("13812345678")
        moved = token.replace("v1:k2:", "v1:k1:", 1)

        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(moved)


@pytest.mark.parametrize("token", ["13812345678", "v2:k1:AAAA"])
def test_not_a_token_raises(token: str) -> None:
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_keyed_hash_is_stable_and_depends_on_the_key() -> None:
    first = crypto.keyed_hash("11010519491231002X")

    assert crypto.keyed_hash("11010519491231002X") == first
    assert len(first) == 64
    assert crypto.keyed_hash("11010519491231002x") != first
    with override_settings(FIELD_HASH_KEY="hash-key-2"):
        assert crypto.keyed_hash("11010519491231002X") != first
    assert crypto.keyed_hash("11010519491231002X") == first


def test_rotation_old_tokens_open_new_ones_use_the_first_key() -> None:
    old_token = crypto.encrypt("13812345678")

    with override_settings(FIELD_ENCRYPTION_KEYS=f"k2:{NEW},k1:{OLD}"):
        assert crypto.current_key_id() == "k2"
        assert crypto.decrypt(old_token) == "13812345678"
        new_token = crypto.encrypt("13812345678")
        assert crypto.key_id_of(new_token) == "k2"

    # Back on the old key alone, the new token names a key that is not configured.
    with pytest.raises(crypto.DecryptionError) as error:
        crypto.decrypt(new_token)
    assert str(error.value) == "key k2 is not configured"


def test_a_token_under_an_unknown_key_raises() -> None:
    token = crypto.encrypt("13812345678")

    with (
        override_settings(FIELD_ENCRYPTION_KEYS=f"k2:{NEW}"),
        pytest.raises(crypto.DecryptionError),
    ):
        crypto.decrypt(token)


def test_same_key_under_another_id_does_not_open_the_token() -> None:
    # The key id is bound into the seal: renaming a key in the settings is detected.
    token = crypto.encrypt("13812345678")

    with (
        override_settings(FIELD_ENCRYPTION_KEYS=f"k9:{OLD}"),
        pytest.raises(crypto.DecryptionError),
    ):
        crypto.decrypt(token.replace("v1:k1:", "v1:k9:", 1))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "no-separator",
        f"k1:{OLD}:extra",
        "k1:c2hvcnQ=",
        "k1:!!!not-base64!!!",
    ],
)
def test_bad_key_settings_fail_loudly(raw: str) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=raw), pytest.raises(ImproperlyConfigured):
        crypto.current_key_id()


def test_generated_keys_are_32_random_bytes() -> None:
    key = crypto.generate_key()

    assert len(base64.urlsafe_b64decode(key)) == 32
    assert key != crypto.generate_key()
