// webhookSubscriptionCreate(topic, webhookSubscription: { uri, format }) (docs/shopify-facts.md §4).
import { GraphQLError } from 'graphql';
import type { ResolverTable } from '../field-resolver';
import { gid } from '../gid';
import type { Obj } from '../state';
import { isoSeconds } from '../time';

export const webhookResolvers: ResolverTable = {
  override: {
    'Mutation.webhookSubscriptionCreate': (_s, args: { topic: string; webhookSubscription: Obj }, ctx) => {
      const input = args.webhookSubscription;
      const uri: unknown = input.uri ?? input.callbackUrl;
      if (typeof uri !== 'string' || !/^https?:\/\/[^\s]+$/.test(uri)) {
        return { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', 'uri'], message: 'Address is invalid' }] };
      }
      if ((input.format ?? 'JSON') !== 'JSON') {
        throw new GraphQLError('Webhook format XML is not emulated: only JSON deliveries are.', { extensions: { code: 'NOT_EMULATED' } });
      }
      if (ctx.shop.webhookSubscriptions.some((s) => s.topic === args.topic && s.uri === uri)) {
        return {
          webhookSubscription: null,
          userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address for this topic has already been taken' }],
        };
      }
      const now = isoSeconds(ctx.now());
      const sub = {
        id: gid('WebhookSubscription', ctx.nextId()),
        topic: args.topic,
        uri,
        callbackUrl: uri,
        format: 'JSON',
        name: input.name ?? null,
        filter: input.filter ?? null,
        includeFields: input.includeFields ?? [],
        metafieldNamespaces: input.metafieldNamespaces ?? [],
        apiVersion: { handle: ctx.apiVersion, displayName: ctx.apiVersion, supported: true },
        createdAt: now,
        updatedAt: now,
      };
      ctx.shop.webhookSubscriptions.push(sub);
      return { webhookSubscription: sub, userErrors: [] };
    },
  },
  computed: {},
  args: { 'Mutation.webhookSubscriptionCreate': ['topic', 'webhookSubscription'] },
};
