import { getNamedType, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * What the response cache never stores: THE list. Everything a shopper owns, or that is answered for one shopper
 * rather than for their customer group, is named here once; the response cache consults nothing else.
 * test/cache/private-fields.test.ts reads BigCommerce's full Storefront schema and fails when a root field is
 * not classified below, or when a type reachable only through these fields is missing from PRIVATE_TYPES.
 *
 * Decided on field NAMES and types, by walking the document with the schema (graphql-js TypeInfo): a response
 * key is only an alias, and `c: customer { email }` is still `Query.customer`.
 *
 * Sources: BigCommerce's Storefront GraphQL reference (developer.bigcommerce.com/graphql-storefront/reference)
 * and its guides on customers, carts, checkouts, orders and wishlists (developer.bigcommerce.com/docs/storefront/
 * graphql/customer, /carts, /checkouts, /orders, /wishlists).
 */

/** Root fields (`Type.field`) whose answer belongs to one shopper (or one cart, order, token). */
export const PRIVATE_ROOT_FIELDS: ReadonlySet<string> = new Set([
  // The signed-in customer, with addresses, attributes, wishlists, orders and stored payment instruments.
  'Query.customer',
  // Any object by id: carts, checkouts, orders and wishlists are nodes too, and who may see one depends on
  // who asks. Catalog pages reach products through `site.product`/`site.route`, which stay cacheable.
  'Query.node',
  // B2B company of the signed-in customer (addresses, company user).
  'Query.company',
  // The shopper's own locale preference.
  'Query.shopperPreferences',
  // Carts, checkouts and orders: per cart/order id, and the session's own.
  'Site.cart',
  'Site.checkout',
  'Site.order',
  // A wishlist shared by token; a gift certificate by code: secrets in the arguments, a person's data in the answer.
  'Site.publicWishlist',
  'Site.giftCertificate',
  // Payment wallets and their initialisation data are set up for the session.
  'Site.paymentWallets',
  'Site.paymentWalletWithInitializationData',
  // Promotion banners depend on the cart (`banners(cartEntityId:)`).
  'Site.promotion',
  // The gateway's own: the verified shopper (schema/gateway/customer.graphql).
  'Query.currentCustomer',
]);

/**
 * Root fields reviewed as the same for every shopper of one customer group (catalog, content, settings, and the
 * gateway's REST prices, which are priced for the session's group). A new root field must be added to one list.
 */
export const PUBLIC_ROOT_FIELDS: ReadonlySet<string> = new Set([
  'Query.site', 'Query.channel', 'Query.inventory', 'Query.store', 'Query.geography', 'Query.pricing',
  'Site.search', 'Site.categoryTree', 'Site.category', 'Site.brands', 'Site.products', 'Site.newestProducts',
  'Site.bestSellingProducts', 'Site.featuredProducts', 'Site.product', 'Site.route', 'Site.settings', 'Site.content',
  'Site.currency', 'Site.currencies', 'Site.popularBrands', 'Site.brand',
]);

/**
 * Types that only ever describe a shopper's own things: every composite type reachable only through the fields
 * above (BigCommerce's full schema), plus the gateway's session types. A document that selects a field of one of
 * these, a field returning one, or a fragment on one (`... on Cart` under `site.route { node }`) is never cached.
 */
export const PRIVATE_TYPES: ReadonlySet<string> = new Set([
  // The gateway's own (schema/gateway/*.graphql): the verified shopper, sessions, SSO URLs, login results.
  'CurrentCustomer', 'GatewaySession', 'CustomerLoginUrl', 'LoginResult', 'LogoutResult',
  // BigCommerce's: customers, addresses, carts, checkouts, orders, payments, wishlists, gift certificates, B2B.
  'ActiveCompany', 'AddressConnection', 'AddressEdge', 'Cart', 'CartBulkPrice', 'CartCustomItem', 'CartDigitalItem',
  'CartDiscount', 'CartGiftCertificate', 'CartGiftCertificateRecipient', 'CartGiftCertificateSender',
  'CartGiftWrapping', 'CartItemStockPosition', 'CartLineItems', 'CartPhysicalItem', 'CartSelectedCheckboxOption',
  'CartSelectedDateFieldOption', 'CartSelectedFileUploadOption', 'CartSelectedMultiLineTextFieldOption',
  'CartSelectedMultipleChoiceOption', 'CartSelectedNumberFieldOption', 'CartSelectedOption',
  'CartSelectedTextFieldOption', 'CheckboxesFormFieldValue', 'Checkout', 'CheckoutAddressCheckboxesCustomField',
  'CheckoutAddressCustomField', 'CheckoutAddressDateCustomField', 'CheckoutAddressMultipleChoiceCustomField',
  'CheckoutAddressNumberCustomField', 'CheckoutAddressPasswordCustomField', 'CheckoutAddressTextFieldCustomField',
  'CheckoutAvailableShippingOption', 'CheckoutBillingAddress', 'CheckoutConsignmentAddress', 'CheckoutCoupon',
  'CheckoutDiscountAllocation', 'CheckoutFee', 'CheckoutGiftCertificate', 'CheckoutPromotion',
  'CheckoutPromotionBanner', 'CheckoutPromotionDiscount', 'CheckoutSelectedShippingOption',
  'CheckoutShippingConsignment', 'CheckoutTax', 'CompanyAddress', 'CompanyAddressConnection', 'CompanyAddressEdge',
  'CompanyCustomer', 'CompanyCustomerConnection', 'CompanyCustomerEdge', 'CompanyQueries', 'CompanyUser',
  'CreditCardPaymentInstrument', 'Customer', 'CustomerAddress', 'CustomerAttribute', 'CustomerAttributes',
  'CustomerFormFieldValue', 'DateFormFieldValue', 'ExtraFieldValue', 'GiftCertificate',
  'GiftCertificateCustomerInfo', 'GiftCertificatePaymentInstrument', 'MultilineTextExtraFieldValue',
  'MultilineTextFormFieldValue', 'MultipleChoiceExtraFieldValue', 'MultipleChoiceFormFieldValue',
  'NumberExtraFieldValue', 'NumberFormFieldValue', 'Order', 'OrderAutomaticShippingDiscount', 'OrderBillingAddress',
  'OrderConsignments', 'OrderCouponDiscount', 'OrderDigitalLineItem', 'OrderDigitalLineItemConnection',
  'OrderDigitalLineItemEdge', 'OrderDiscounts', 'OrderDownloadConsignment', 'OrderEmailConsignments', 'OrderFee',
  'OrderGiftCertificateConsignment', 'OrderGiftCertificateConsignmentConnection',
  'OrderGiftCertificateConsignmentEdge', 'OrderGiftCertificateLineItem', 'OrderGiftCertificateLineItemConnection',
  'OrderGiftCertificateLineItemEdge', 'OrderLineItemProductOption', 'OrderLineItemWrapping',
  'OrderNonCouponShippingDiscount', 'OrderPhysicalLineItem', 'OrderPhysicalLineItemConnection',
  'OrderPhysicalLineItemEdge', 'OrderPickupConsignment', 'OrderPickupConsignmentConnection',
  'OrderPickupConsignmentEdge', 'OrderPickupLocationAddress', 'OrderShipment', 'OrderShipmentConnection',
  'OrderShipmentEdge', 'OrderShipmentLineItem', 'OrderShipmentNumberAndUrlTracking',
  'OrderShipmentNumberOnlyTracking', 'OrderShipmentTracking', 'OrderShipmentUrlOnlyTracking', 'OrderShippingAddress',
  'OrderShippingConsignment', 'OrderShippingConsignmentConnection', 'OrderShippingConsignmentEdge', 'OrderStatus',
  'OrderTax', 'OrderWithPayments', 'OrdersConnection', 'OrdersEdge', 'PasswordFormFieldValue', 'Payment',
  'PaymentInstrument', 'PaymentWallet', 'PaymentWalletConnection', 'PaymentWalletEdge',
  'PaymentWalletWithInitializationData', 'PaymentsConnection', 'PaymentsEdge', 'Promotion', 'PromotionBanner',
  'PublicWishlist', 'ShopperLocale', 'ShopperPreferences', 'StoredBankAccount', 'StoredCard',
  'StoredCardBillingAddress', 'StoredCardExpiry', 'StoredPaymentInstrument', 'StoredPaymentInstrumentConnection',
  'StoredPaymentInstrumentDetails', 'StoredPaymentInstrumentEdge', 'StoredPaypalAccount', 'TextExtraFieldValue',
  'TextFormFieldValue', 'Wishlist', 'WishlistConnection', 'WishlistEdge', 'WishlistItem', 'WishlistItemConnection',
  'WishlistItemEdge',
]);

/**
 * `Node` implementations reviewed as catalog or content (reachable through `site.route { node }`); every other
 * implementation is in PRIVATE_TYPES. A new `Node` type must be added to one of the two.
 */
export const PUBLIC_NODE_TYPES: ReadonlySet<string> = new Set([
  'Banner', 'Blog', 'BlogIndexPage', 'BlogPost', 'Brand', 'Category', 'ContactPage', 'NormalPage', 'Product', 'RawHtmlPage',
  'Redirect', 'Variant',
]);

/** Introspection is answered by the gateway from its schema: never worth a cache entry, and never cached. */
const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

export type CacheVerdict = 'cacheable' | 'private' | 'introspection' | 'not-a-query';

/** True when `Type.field` (or what it returns) is a shopper's own. */
export function isPrivateField(parentType: string, fieldName: string, returnType: string | undefined): boolean {
  return (
    PRIVATE_ROOT_FIELDS.has(`${parentType}.${fieldName}`) ||
    PRIVATE_TYPES.has(parentType) ||
    (returnType !== undefined && PRIVATE_TYPES.has(returnType))
  );
}

/**
 * Whether a validated document may be cached at all: every operation must be a query, and no field anywhere in it
 * (fragments included, whichever operation runs) may be private or introspection. Whole-document and conservative:
 * one private field makes every operation of the document BYPASS.
 */
export function cacheVerdict(schema: GraphQLSchema, document: DocumentNode): CacheVerdict {
  const typeInfo = new TypeInfo(schema);
  let verdict: CacheVerdict = 'cacheable';
  const privateCondition = (name: string | undefined) => name !== undefined && PRIVATE_TYPES.has(name);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        if (node.operation !== 'query') verdict = 'not-a-query';
      },
      InlineFragment(node) {
        if (privateCondition(node.typeCondition?.name.value) && verdict === 'cacheable') verdict = 'private';
      },
      FragmentDefinition(node) {
        if (privateCondition(node.typeCondition.name.value) && verdict === 'cacheable') verdict = 'private';
      },
      Field(node) {
        if (verdict !== 'cacheable') return;
        if (INTROSPECTION_FIELDS.has(node.name.value)) {
          verdict = 'introspection';
          return;
        }
        const parent = typeInfo.getParentType();
        const type = typeInfo.getType();
        // Validation ran first, so every field is known; an unknown one (a schema swap mid-request) is not cached.
        if (!parent || !type) {
          verdict = 'private';
          return;
        }
        if (isPrivateField(parent.name, node.name.value, getNamedType(type).name)) verdict = 'private';
      },
    }),
  );
  // Keep TypeScript aware that `visit` may have changed it.
  return verdict as CacheVerdict;
}

