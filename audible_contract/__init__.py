"""What the gateway and the tracker agree on, importable by both without either's dependencies.

Standard library only, and no import of ``audible_gateway`` or ``tracker_api``: the tracker
loads this package without loading Flask, httpx, cryptography or ``audible``, and the gateway
without Django. Nothing is imported here, so ``import audible_contract.items`` loads only that
module.

* ``audible_contract.items``: the normalised item shape (``normalize_item``) both sides read;
* ``audible_contract.json_depth``: the JSON nesting rule both sides' body readers apply;
* ``audible_contract.secrets``: which secret values (placeholders, short ones) refuse a start;
* ``audible_contract.wire``: the secret header's name and the error codes the gateway answers
  with and the tracker branches on.
"""
