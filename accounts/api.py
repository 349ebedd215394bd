"""Token endpoint: exchange an e-mail and password for a DRF token (``Authorization: Token …``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import PinsAPIView, error_responses


class TokenIn(serializers.Serializer[Any]):
    email = serializers.EmailField()
    password = serializers.CharField(min_length=1, max_length=256, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenOut(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="À envoyer dans l’en-tête « Authorization: Token … ».")


class ObtainTokenView(PinsAPIView):
    """POST /api/v1/auth/token/. The same token is returned until it is deleted.

    No authentication (hence no CSRF) on this endpoint; it is rate-limited like every write.
    A wrong pair and an inactive account get the same 401, so accounts cannot be probed.
    """

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]
    serializer_class = TokenIn

    def get_authenticate_header(self, request: Request) -> str:
        # Without it DRF turns the 401 of a wrong pair into a 403 (no authentication class).
        return 'Token realm="api"'

    @extend_schema(summary="Obtenir un jeton d’API", request=TokenIn, tags=["Authentification"],
                   description="Adresse e-mail et mot de passe du compte. Le même jeton est "
                               "renvoyé tant qu’il n’est pas supprimé ; à envoyer dans "
                               "l’en-tête « Authorization: Token <jeton> ».",
                   responses={200: TokenOut, **error_responses(400, 401, 429)}, auth=[])
    def post(self, request: Request) -> Response:
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, email=data.validated_data["email"].lower(),
                            password=data.validated_data["password"])
        if user is None:
            raise AuthenticationFailed(_("Adresse e-mail ou mot de passe incorrect."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenOut({"token": token.key}).data)
